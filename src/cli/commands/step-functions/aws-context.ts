/**
 * What every step-functions command that calls AWS starts with: the settings it needs (all
 * missing ones reported at once, before any AWS call), where the deployment is, the SDK wrappers
 * and the user. The AWS SDK is imported here, lazily, never on the local path.
 */
import type { AwsSettingName, AwsSettings } from "../../../aws/deploy/aws-settings.js";
import type { DeployClients } from "../../../aws/deploy/deployment.js";
import type { DeployTarget } from "../../../aws/deploy/resource-names.js";
import { currentUser } from "../../../config.js";
import type { FlowCommandContext } from "../../flow-commands.js";

export interface AwsCommandContext {
  settings: AwsSettings;
  target: DeployTarget;
  clients: DeployClients;
  user: string;
}

export interface AwsContextOptions {
  /** The subcommand, for messages. */
  command: string;
  /** `--name`: the state machine name, default the flow's. */
  name?: string;
  /** Settings needed besides the region and the Step Functions role. @default [] */
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
  const { createDeployClients } = await import("../../../aws/deploy/deployment.js");
  const overrides = Object.fromEntries(
    Object.entries(options.overrides ?? {}).filter(([, value]) => value !== undefined),
  );
  const settings = loadAwsSettings(options.required ?? [], options.command, overrides);
  const target = deployTarget(settings, context.flow.name, options.name);
  return { settings, target, clients: await createDeployClients(settings.region), user: currentUser() };
}

/** `--name` and, for commands that change production, `--authorize`. */
export const NAME_OPTION = ["--name <name>", "state machine name (default: the flow's name)"] as const;
export const AUTHORIZE_OPTION = [
  "--authorize <token>",
  "production token of the deployment, needed when someone else deployed it",
] as const;
