/**
 * `step-functions list-runs`: the runs of the deployed flow as Step Functions sees them, newest
 * first, optionally only those of some statuses.
 */
import type { Command } from "commander";
import type { RunStatusFilter } from "../../../aws/deploy/list-runs.js";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { awsCommandContext, checkNamedDeployment, NAME_OPTION, targetChoice } from "./aws-context.js";

interface ListRunsFlags {
  name?: string;
  running: boolean;
  succeeded: boolean;
  failed: boolean;
  timedOut: boolean;
  aborted: boolean;
}

const FLAGS = ["running", "succeeded", "failed", "timedOut", "aborted"] as const;

function time(date: Date | undefined): string {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";
}

const WHY_CHARS = 120;

interface RunDetails {
  /** The failed step and the first line of its error. */
  why: Map<string, string>;
  /** The run a resumed run resumed. */
  origin: Map<string, string>;
}

/**
 * From the run records in the deployment's datastore (one read per run, only for runs that need
 * it): for the runs that did not succeed, the failed step and the first line of its error — a run
 * that never got that far (a timeout, an abort, a failure before its start step) has none; for
 * resumed runs (`sfn-resume-…`), the run they resumed.
 */
async function runDetails(
  flow: string,
  runs: readonly { runId: string; status: string }[],
  s3Root: string | undefined,
): Promise<RunDetails> {
  const details: RunDetails = { why: new Map(), origin: new Map() };
  const { RESUME_EXECUTION_PREFIX } = await import("../../../aws/deploy/resource-names.js");
  const failed = (r: { status: string }) => r.status !== "RUNNING" && r.status !== "SUCCEEDED";
  const resumed = (r: { runId: string }) => r.runId.startsWith(`sfn-${RESUME_EXECUTION_PREFIX}`);
  const wanted = runs.filter((r) => failed(r) || resumed(r));
  if (!s3Root || wanted.length === 0) return details;
  const { Run } = await import("../../../client/run.js");
  const { datastoreLocation } = await import("../../../aws/batch/datastore-location.js");
  const datastore = datastoreLocation(s3Root);
  await Promise.all(
    wanted.map(async (listed) => {
      const { runId } = listed;
      const run = await Run.get(`${flow}/${runId}`, { datastore, namespace: null }).catch(() => undefined);
      if (run?.originRunId) details.origin.set(runId, run.originRunId);
      const line = failed(listed) ? run?.failureReason?.split("\n")[0] : undefined;
      if (line) details.why.set(runId, line.length > WHY_CHARS ? `${line.slice(0, WHY_CHARS - 1)}…` : line);
    }),
  );
  return details;
}

export function registerListRuns(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("list-runs"), context.flow)
    .description("list the runs of the flow on AWS Step Functions: run id, status, start and stop")
    .option(...NAME_OPTION)
    .option("--running", "only running runs", false)
    .option("--succeeded", "only succeeded runs", false)
    .option("--failed", "only failed runs", false)
    .option("--timed-out", "only timed out runs", false)
    .option("--aborted", "only aborted (terminated) runs", false)
    .action(async (flags: ListRunsFlags) => {
      const { RUN_STATUSES, listRuns } = await import("../../../aws/deploy/list-runs.js");
      const statuses: RunStatusFilter[] = FLAGS.filter((f) => flags[f]).map((f) => RUN_STATUSES[f]);
      const aws = await awsCommandContext(context, {
        command: "list-runs",
        ...targetChoice(flags),
      });
      await checkNamedDeployment(aws, flags);
      const runs = await listRuns({ sfn: aws.clients.sfn, target: aws.target, statuses });
      if (runs.length === 0) {
        const which = statuses.length > 0 ? `${statuses.join(" or ")} ` : "";
        process.stdout.write(`No ${which}runs of '${aws.target.name}' on AWS Step Functions.\n`);
        return;
      }
      const { why, origin } = await runDetails(context.flow.name, runs, aws.settings.s3Root);
      const width = Math.max("RUN ID".length, ...runs.map((r) => r.runId.length));
      // The origin column only when a listed run was resumed: it is as wide as a run id.
      const originWidth =
        origin.size > 0 ? Math.max("RESUMED FROM".length, ...[...origin.values()].map((o) => o.length)) : 0;
      const row = (id: string, status: string, start: string, stop: string, from = "", reason = "") =>
        `${id.padEnd(width)}  ${status.padEnd(9)}  ${start.padEnd(20)}  ${stop.padEnd(20)}  ${originWidth > 0 ? `${from.padEnd(originWidth)}  ` : ""}${reason}`.trimEnd();
      const lines = [
        row("RUN ID", "STATUS", "STARTED", "STOPPED", "RESUMED FROM", why.size > 0 ? "WHY" : ""),
      ];
      for (const r of runs) {
        lines.push(
          row(r.runId, r.status, time(r.startDate), time(r.stopDate), origin.get(r.runId), why.get(r.runId)),
        );
      }
      if (why.size > 0) {
        lines.push(
          "",
          `Its output: flowship ${context.file} logs <run id>/<step> --stderr (read from ${aws.settings.s3Root}).`,
        );
      }
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
