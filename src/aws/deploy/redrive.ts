/**
 * `step-functions redrive RUN_ID`: redrives a failed production run. Step Functions restarts the
 * execution from the states that failed, keeping what succeeded, so the run keeps its id and its
 * finished tasks; the failed step's Batch task runs again as its next attempt — on the version
 * the run started with: a redrive cannot pick up a fix (resume.ts can).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
import { authorize, requireDeployment } from "./deployment.js";
import { DeployError } from "./errors.js";
import { sfnExecutionName } from "./resource-names.js";
import { findRun, type RunChangeOptions } from "./terminate.js";

const REDRIVABLE_STATUSES = new Set(["FAILED", "TIMED_OUT", "ABORTED"]);

/** Redrives the run; returns when AWS accepted it. */
export async function redriveRun(options: RunChangeOptions): Promise<{ redriveDate?: Date }> {
  sfnExecutionName(options.runId);
  const deployment = await requireDeployment(options.sfn, options.target);
  authorize(deployment, { ...options, action: "redrive a run of" });
  const { executionArn, execution } = await findRun(options);
  if (!REDRIVABLE_STATUSES.has(execution.status ?? "")) {
    throw new DeployError(
      "FS_SFN_RUN_NOT_FAILED",
      `Only a failed, timed out or aborted run can be redriven: '${options.runId}' is ${execution.status}. Trigger a new run instead.`,
    );
  }
  if (execution.redriveStatus === "NOT_REDRIVABLE") {
    throw new DeployError(
      "FS_SFN_NOT_REDRIVABLE",
      `Step Functions cannot redrive run '${options.runId}': ${execution.redriveStatusReason ?? "it is not redrivable"}. Resume it with a fix instead: step-functions resume --origin-run-id ${options.runId}.`,
    );
  }
  const redriveDate = await options.sfn.redriveExecution(executionArn);
  return redriveDate ? { redriveDate } : {};
}
