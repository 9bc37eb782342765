/**
 * `step-functions terminate RUN_ID`: stops a running execution of this deployment. The execution
 * ARN is built from this state machine's name, so a run of another state machine is never found,
 * let alone stopped; changing production needs the owner or the production token.
 */
import { authorize, requireDeployment } from "./deployment.js";
import { DeployError } from "./errors.js";
import { type DeployTarget, executionArnOf, sfnExecutionName } from "./resource-names.js";
import type { SfnDeployClient } from "./sfn-client.js";

export interface RunChangeOptions {
  sfn: SfnDeployClient;
  target: DeployTarget;
  /** `sfn-<execution name>`. */
  runId: string;
  user: string;
  /** The production token, when `user` did not deploy the flow. */
  authorize?: string;
}

/** Looks the run up among this state machine's executions; a run of another one is refused. */
export async function findRun(options: RunChangeOptions) {
  const executionArn = executionArnOf(options.target, options.runId);
  const execution = await options.sfn.describeExecution(executionArn);
  const machine = execution?.stateMachineArn ?? "";
  const ours =
    machine === options.target.stateMachineArn || machine.startsWith(`${options.target.stateMachineArn}:`);
  if (!execution || !ours) {
    throw new DeployError(
      "FS_SFN_RUN_NOT_FOUND",
      `Run is not an execution of state machine '${options.target.name}': '${options.runId}'. List its runs with step-functions list-runs${options.target.name === options.target.flow ? "" : ` --name ${options.target.name}`}.`,
    );
  }
  return { executionArn, execution };
}

/** Stops the run; returns when AWS says it stopped. */
export async function terminateRun(options: RunChangeOptions): Promise<{ stopDate?: Date }> {
  sfnExecutionName(options.runId);
  const deployment = await requireDeployment(options.sfn, options.target);
  authorize(deployment, { ...options, action: "terminate a run of" });
  const { executionArn, execution } = await findRun(options);
  if (execution.status !== "RUNNING") {
    throw new DeployError(
      "FS_SFN_RUN_NOT_RUNNING",
      `Run is not running: '${options.runId}' is ${execution.status}. Only running runs can be terminated.`,
    );
  }
  const stopDate = await options.sfn.stopExecution(
    executionArn,
    `Terminated by ${options.user} with flowship step-functions terminate`,
  );
  return stopDate ? { stopDate } : {};
}
