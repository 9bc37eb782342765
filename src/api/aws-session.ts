/**
 * What every Deployer call that reaches AWS starts with, as the CLI's step-functions commands do:
 * the settings (from `flowship configure aws` and FLOWSHIP_AWS_*, with the caller's own on top),
 * where the deployment is, the SDK wrappers and the user. The AWS SDK is loaded here, lazily.
 */
import type { AwsSettingName, AwsSettings, PartialAwsSettings } from "../aws/deploy/aws-settings.js";
import type { DeployClients } from "../aws/deploy/deployment.js";
import type { DeployTarget } from "../aws/deploy/resource-names.js";
import { currentUser } from "../config.js";
import { resolveBranch } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";
import { branchOptionNames } from "./check-options.js";
import { API_ERROR_CODES, ApiUsageError } from "./errors.js";

/** Options every AWS-facing class of the API takes. */
export interface AwsOptions {
  /**
   * AWS settings that win over those of `flowship configure aws` and FLOWSHIP_AWS_* (docs/production.md):
   * `{ region, sfnRole, jobQueue, s3Root, batchJobRole, … }`. Credentials are the SDK's own.
   * @default {}
   */
  aws?: PartialAwsSettings;
}

export interface AwsSession {
  settings: AwsSettings;
  target: DeployTarget;
  clients: DeployClients;
  user: string;
}

export async function openAwsSession(options: {
  /** The flow, when known: its project decides a branch's state machine name. */
  flow?: FlowSpec;
  /** The flow's name when the flow itself is not known (a deployment opened by name). */
  flowName?: string;
  /** The call being made, for messages: `DeployedFlow.fromDeployment()`. */
  call: string;
  name?: string | undefined;
  branch?: string | undefined;
  production?: boolean | undefined;
  required?: readonly AwsSettingName[];
  aws?: PartialAwsSettings | undefined;
}): Promise<AwsSession> {
  const { loadAwsSettings } = await import("../aws/deploy/aws-settings.js");
  const { deployTarget } = await import("../aws/deploy/resource-names.js");
  const { deployAccount } = await import("../aws/deploy/deploy-account.js");
  const { createDeployClients } = await import("../aws/deploy/deployment.js");
  const user = currentUser();
  const branch = options.flow
    ? resolveBranch(
        options.flow,
        {
          ...(options.branch === undefined ? {} : { branch: options.branch }),
          ...(options.production ? { production: true } : {}),
        },
        user,
        branchOptionNames(options.call),
      )
    : undefined;
  if (branch && options.name !== undefined) {
    throw new ApiUsageError(
      API_ERROR_CODES.badOption,
      `Option name of ${options.call} does not apply to flow '${options.flow!.name}' of project '${branch.project}': its deployments are named after the project and the branch. Leave name out; choose the branch with the branch or production option.`,
    );
  }
  const overrides = Object.fromEntries(Object.entries(options.aws ?? {}).filter(([, v]) => v !== undefined));
  const settings = loadAwsSettings(options.required ?? [], { apiCall: options.call }, overrides);
  const flow = options.flow?.name ?? options.flowName ?? options.name ?? "";
  const target = deployTarget(settings, flow, options.name, branch, await deployAccount(settings));
  return { settings, target, clients: await createDeployClients(settings.region), user };
}
