/**
 * `step-functions redrive RUN_ID`: redrives a failed production run. Step Functions restarts the
 * execution from the states that failed, keeping what succeeded, so the run keeps its id and its
 * finished tasks; the failed step's Batch task runs again as its next attempt — on the version
 * the run started with: a redrive cannot pick up a fix (resume.ts can).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/redrive-executions.html
 */
import { authorize, requireDeployment } from "./deployment.js";
import { AwsCallError, DeployError } from "./errors.js";
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
    throw notRedrivable(options.runId, execution.redriveStatusReason ?? "it is not redrivable");
  }
  try {
    const redriveDate = await options.sfn.redriveExecution(executionArn);
    return redriveDate ? { redriveDate } : {};
  } catch (error) {
    // AWS may still refuse a run DescribeExecution did not mark (its redrive count spent, a Map
    // Run that cannot be redriven): the remedy is a resume, not the AWS settings.
    if (error instanceof AwsCallError && error.awsError === "ExecutionNotRedrivable") {
      throw notRedrivable(options.runId, awsReason(error), error);
    }
    throw error;
  }
}

function notRedrivable(runId: string, reason: string, cause?: unknown): DeployError {
  return new DeployError(
    "FS_SFN_NOT_REDRIVABLE",
    `Step Functions cannot redrive run '${runId}': ${reason}. Resume it with a fix instead: step-functions resume --origin-run-id ${runId}.`,
    cause === undefined ? {} : { cause },
  );
}

/** AWS's own words of the refusal, without the sentence AwsCallError wraps them in. */
function awsReason(error: AwsCallError): string {
  const cause = error.cause;
  const text = cause instanceof Error ? cause.message : String(cause);
  return text.replace(/\s+/g, " ").trim().replace(/\.+$/, "") || "AWS refused it";
}
