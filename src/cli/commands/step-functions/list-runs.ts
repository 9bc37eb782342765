/**
 * `step-functions list-runs`: the runs of the deployed flow as Step Functions sees them, newest
 * first, optionally only those of some statuses.
 */
import type { Command } from "commander";
import type { RunStatusFilter } from "../../../aws/deploy/list-runs.js";
import type { FlowCommandContext } from "../../flow-commands.js";
import { awsCommandContext, NAME_OPTION } from "./aws-context.js";

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

export function registerListRuns(group: Command, context: FlowCommandContext): void {
  group
    .command("list-runs")
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
        ...(flags.name === undefined ? {} : { name: flags.name }),
      });
      const runs = await listRuns({ sfn: aws.clients.sfn, target: aws.target, statuses });
      if (runs.length === 0) {
        const which = statuses.length > 0 ? `${statuses.join(" or ")} ` : "";
        process.stdout.write(`No ${which}runs of '${aws.target.name}' on AWS Step Functions.\n`);
        return;
      }
      const width = Math.max("RUN ID".length, ...runs.map((r) => r.runId.length));
      const row = (id: string, status: string, start: string, stop: string) =>
        `${id.padEnd(width)}  ${status.padEnd(9)}  ${start.padEnd(20)}  ${stop}`.trimEnd();
      const lines = [row("RUN ID", "STATUS", "STARTED", "STOPPED")];
      for (const r of runs) lines.push(row(r.runId, r.status, time(r.startDate), time(r.stopDate)));
      process.stdout.write(`${lines.join("\n")}\n`);
    });
}
