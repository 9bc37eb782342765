/**
 * `step-functions list-runs`: the executions of a deployment, straight from Step Functions (runs
 * that never reached their start step have no record in the datastore), newest first.
 */
import type { ExecutionStatus } from "@aws-sdk/client-sfn";
import { notDeployed } from "./deployment.js";
import { isNotFound } from "./errors.js";
import { type DeployTarget, runIdOf } from "./resource-names.js";
import type { SfnDeployClient } from "./sfn-client.js";

/** Execution statuses, as `list-runs` flags name them. */
export const RUN_STATUSES = {
  running: "RUNNING",
  succeeded: "SUCCEEDED",
  failed: "FAILED",
  timedOut: "TIMED_OUT",
  aborted: "ABORTED",
} as const satisfies Record<string, ExecutionStatus>;

export type RunStatusFilter = (typeof RUN_STATUSES)[keyof typeof RUN_STATUSES];

export interface ListedRun {
  runId: string;
  /** As Step Functions reports it; "UNKNOWN" when it reports none. */
  status: ExecutionStatus | "UNKNOWN";
  startDate?: Date;
  stopDate?: Date;
  /** The version or alias the execution was started with, when AWS reports it. */
  startedWith?: string;
}

/** Lists runs of the given statuses (all runs when none), one ListExecutions per status. */
export async function listRuns(options: {
  sfn: SfnDeployClient;
  target: DeployTarget;
  statuses?: readonly RunStatusFilter[];
}): Promise<ListedRun[]> {
  const statuses = options.statuses?.length ? [...new Set(options.statuses)] : [undefined];
  const runs: ListedRun[] = [];
  try {
    for (const status of statuses) {
      for (const e of await options.sfn.listExecutions(options.target.stateMachineArn, status)) {
        const startedWith = e.stateMachineAliasArn ?? e.stateMachineVersionArn;
        runs.push({
          runId: runIdOf(e.executionArn ?? ""),
          status: e.status ?? "UNKNOWN",
          ...(e.startDate ? { startDate: e.startDate } : {}),
          ...(e.stopDate ? { stopDate: e.stopDate } : {}),
          ...(startedWith ? { startedWith } : {}),
        });
      }
    }
  } catch (error) {
    if (isNotFound((error as { cause?: unknown }).cause)) throw notDeployed(options.target);
    throw error;
  }
  return runs.sort((a, b) => (b.startDate?.getTime() ?? 0) - (a.startDate?.getTime() ?? 0));
}
