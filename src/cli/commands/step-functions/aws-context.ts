/**
 * What every step-functions command that calls AWS starts with: the settings it needs (all
 * missing ones reported at once, before any AWS call), where the deployment is, the SDK wrappers
 * and the user. The AWS SDK is imported here, lazily, never on the local path.
 */
import type { AwsSettingName, AwsSettings } from "../../../aws/deploy/aws-settings.js";
import type { DeployClients } from "../../../aws/deploy/deployment.js";
import type { DeployTarget } from "../../../aws/deploy/resource-names.js";
import { currentUser } from "../../../config.js";
import { resolveBranch } from "../../../flow/project.js";
import { branchChoice } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";

export interface AwsCommandContext {
  settings: AwsSettings;
  target: DeployTarget;
  clients: DeployClients;
  user: string;
}

export interface AwsContextOptions {
  /** The subcommand, for messages. */
  command: string;
  /** `--name`: the state machine name, default the flow's (or, in a project, its branch's). */
  name?: string;
  /** `--branch` / `--production` of a flow with a project. */
  branch?: string;
  production?: boolean;
  /** Settings needed besides the region (`sfnRole` for a command that creates a state machine). @default [] */
  required?: readonly AwsSettingName[];
  /** Values given as flags; they win over the environment and the settings file. */
  overrides?: Partial<Record<AwsSettingName, string | undefined>>;
}

export async function awsCommandContext(
  context: FlowCommandContext,
  options: AwsContextOptions,
): Promise<AwsCommandContext> {
  const { loadAwsSettings } = await import("../../../aws/deploy/aws-settings.js");
  const { deployTarget } = await import("../../../aws/deploy/resource-names.js");
  const { deployAccount } = await import("../../../aws/deploy/deploy-account.js");
  const { createDeployClients } = await import("../../../aws/deploy/deployment.js");
  const overrides = Object.fromEntries(
    Object.entries(options.overrides ?? {}).filter(([, value]) => value !== undefined),
  );
  // The branch first: a flag that makes no sense is a usage error before any setting is looked at.
  const user = currentUser();
  const branch = resolveBranch(context.flow, branchChoice(context.flow, options), user);
  // A --name Step Functions cannot take is refused before any AWS call (deployTarget checks it again).
  if (options.name !== undefined) {
    const { stateMachineName } = await import("../../../aws/compile/naming.js");
    stateMachineName(context.flow.name, options.name);
  }
  const settings = loadAwsSettings(options.required ?? [], options.command, overrides);
  const target = deployTarget(
    settings,
    context.flow.name,
    options.name,
    branch,
    await deployAccount(settings),
  );
  return { settings, target, clients: await createDeployClients(settings.region), user };
}

/**
 * With `--name`, the state machine named must run this flow: another flow's would be started, or
 * its runs listed, under this flow's name and with its parameters (two calls; a state machine
 * found by this flow's own name is its deployment, and a command that starts one needs no more).
 */
export async function checkNamedDeployment(aws: AwsCommandContext, flags: { name?: string }): Promise<void> {
  if (flags.name === undefined) return;
  const { requireDeployment } = await import("../../../aws/deploy/deployment.js");
  await requireDeployment(aws.clients.sfn, aws.target);
}

/** The flags that choose the deployment: `--name`, `--branch`, `--production`. */
export function targetChoice(flags: {
  name?: string;
  branch?: string;
  production?: boolean;
}): Pick<AwsContextOptions, "name" | "branch" | "production"> {
  return {
    ...(flags.name === undefined ? {} : { name: flags.name }),
    ...(flags.branch === undefined ? {} : { branch: flags.branch }),
    ...(flags.production ? { production: true } : {}),
  };
}

/** `--name` and, for commands that change production, `--authorize`. */
export const NAME_OPTION = [
  "--name <name>",
  "state machine name (default: the flow's name; in a project, the branch's name for it)",
] as const;

export const AUTHORIZE_OPTION = [
  "--authorize <token>",
  "production token of the deployment, needed when someone else deployed it",
] as const;
