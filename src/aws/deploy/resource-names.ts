/**
 * The names and ARNs of what a deployment creates, all derived from the state machine name and
 * the account (deploy-account.ts: the Step Functions role's, else the credentials'): no lookup is
 * needed to find them again.
 */

import { UsageError } from "../../errors.js";
import { type ProjectBranch, projectedFlowName } from "../../flow/project.js";
import { sha256 } from "../../util/hash.js";
import { MAX_STATE_MACHINE_NAME_LENGTH, stateMachineName } from "../compile/naming.js";
import type { AwsSettings } from "./aws-settings.js";
import { type DeployAccount, roleAccount } from "./deploy-account.js";
import { AwsSettingsError, DeployError } from "./errors.js";

/** The alias every trigger, schedule and rule starts: the production version. */
export const PRODUCTION_ALIAS = "production";

/** Scheduler schedule and EventBridge rule names are at most 64 characters. */
const MAX_EVENT_NAME = 64;

/** Where one deployment lives. */
export interface DeployTarget {
  partition: string;
  region: string;
  account: string;
  /** State machine name: `--name`, else the flow's name. */
  name: string;
  /** The flow the state machine runs. */
  flow: string;
  stateMachineArn: string;
  aliasArn: string;
  /** The project branch this deployment is, for a flow with `project()`. */
  project?: ProjectBranch;
}

/**
 * Where `flow` is deployed: the state machine `name` (`--name`), else, in a project, the
 * branch's name for it (`fraud_prod_FraudFlow`), else the flow's name.
 */
export function deployTarget(
  settings: AwsSettings,
  flow: string,
  name?: string,
  project?: ProjectBranch,
  where: DeployAccount | undefined = roleAccount(settings),
): DeployTarget {
  if (where === undefined) {
    throw new AwsSettingsError(
      "No account for the deployment: set the Step Functions role (flowship configure aws --sfn-role, or FLOWSHIP_AWS_SFN_ROLE), or give the account found by deployAccount().",
    );
  }
  const { partition, account } = where;
  if (project && name !== undefined) {
    throw new UsageError(
      `--name does not apply to flow '${flow}' of project '${project.project}': its deployments are named after the project and branch (--branch, --production).`,
    );
  }
  const projected = project ? projectedFlowName(project, flow) : undefined;
  if (projected !== undefined && projected.length > MAX_STATE_MACHINE_NAME_LENGTH) {
    throw new UsageError(
      `Flow '${flow}' in branch ${project!.branch} of project '${project!.project}' would be deployed as '${projected}', longer than Step Functions' ${MAX_STATE_MACHINE_NAME_LENGTH} characters: use a shorter branch, project or flow name.`,
    );
  }
  const machine = stateMachineName(flow, name ?? projected);
  const stateMachineArn = machineArn({ partition, region: settings.region, account }, machine);
  return {
    partition,
    region: settings.region,
    account,
    name: machine,
    flow,
    stateMachineArn,
    aliasArn: `${stateMachineArn}:${PRODUCTION_ALIAS}`,
    ...(project ? { project } : {}),
  };
}

/** The state machine of another flow of the same deployment's project branch (or of no project). */
export function siblingMachineName(target: Pick<DeployTarget, "project">, flow: string): string {
  return target.project ? projectedFlowName(target.project, flow) : flow;
}

export function machineArn(
  where: Pick<DeployTarget, "partition" | "region" | "account">,
  name: string,
): string {
  return `arn:${where.partition}:states:${where.region}:${where.account}:stateMachine:${name}`;
}

/** The version number at the end of a version ARN (`…:stateMachine:Name:3` → 3). */
export function versionNumber(versionArn: string): number {
  const value = Number(versionArn.slice(versionArn.lastIndexOf(":") + 1));
  if (!Number.isInteger(value)) {
    throw new DeployError("FS_SFN_BAD_VERSION", `Not a state machine version ARN: '${versionArn}'.`);
  }
  return value;
}

/** Execution names of resumed runs start so: `sfn-resume-…` reads as what it is. */
export const RESUME_EXECUTION_PREFIX = "resume-";

/** `sfn-<execution name>`, the run id of an execution, as the Batch tasks record it. */
export function runIdOf(executionArn: string): string {
  return `sfn-${executionArn.slice(executionArn.lastIndexOf(":") + 1)}`;
}

/**
 * The execution name of run `sfn-<name>`; a run id of another shape is refused. Commands that
 * take a run id check it with this before any AWS call, so a typo costs no request.
 */
export function sfnExecutionName(runId: string): string {
  const name = runId.startsWith("sfn-") ? runId.slice(4) : "";
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(name)) {
    throw new DeployError(
      "FS_SFN_BAD_RUN_ID",
      `Not a Step Functions run id: '${runId}'. Runs on Step Functions are named sfn-<execution name>; list them with step-functions list-runs.`,
      { exitCode: 2 },
    );
  }
  return name;
}

/** The ARN of the execution behind run `sfn-<name>` of this deployment. */
export function executionArnOf(target: DeployTarget, runId: string): string {
  const name = sfnExecutionName(runId);
  return `arn:${target.partition}:states:${target.region}:${target.account}:execution:${target.name}:${name}`;
}

/** Fits a name into 64 characters, keeping its start and ending with a hash of the whole. */
export function eventName(name: string): string {
  if (name.length <= MAX_EVENT_NAME) return name;
  const hash = sha256(name).slice(0, 12);
  return `${name.slice(0, MAX_EVENT_NAME - hash.length - 1)}-${hash}`;
}

/** The EventBridge Scheduler schedule of a scheduled flow (default schedule group). */
export function scheduleName(machine: string): string {
  return eventName(`flowship-${machine}`);
}

/** The EventBridge rule that starts a flow with `triggerOnFinish`. */
export function triggerRuleName(machine: string): string {
  return eventName(`flowship-${machine}-on-finish`);
}

/** The EventBridge rule that alerts on the state machine's finished runs (`--notify-on-error`). */
export function notifyRuleName(machine: string): string {
  return eventName(`flowship-${machine}-notify`);
}

/** The EventBridge rule that sends the alerts failing steps put on the bus (`--notify-on-error`). */
export function stepAlertRuleName(machine: string): string {
  return eventName(`flowship-${machine}-step-alert`);
}

/** The id of the rule's one target. */
export const TRIGGER_TARGET_ID = "flowship";
