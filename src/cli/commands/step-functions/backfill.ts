/**
 * `step-functions backfill --start … --end …`: one run of the production version per fire time of
 * the flow's schedule in the window, each with its fire time (aws/deploy/backfill.ts). Times
 * without a zone are read in the schedule's time zone.
 */
import type { Command } from "commander";
import { UsageError } from "../../../errors.js";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { wholeNumberOption } from "../../options.js";
import { awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

interface BackfillFlags {
  name?: string;
  branch?: string;
  production?: boolean;
  start: string;
  end: string;
  maxConcurrent: string;
  dryRun: boolean;
  pollSeconds: string;
}

function pollMs(text: string): number {
  const seconds = Number(text);
  if (text.trim() === "" || !Number.isFinite(seconds) || seconds < 0.1 || seconds > 300) {
    throw new UsageError(`Invalid --poll-seconds '${text}': give a number of seconds from 0.1 to 300.`);
  }
  return seconds * 1000;
}

export function registerBackfill(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("backfill"), context.flow)
    .description(
      "run the production version once per fire time of the flow's schedule from --start to --end, skipping fire times that already succeeded",
    )
    .requiredOption(
      "--start <time>",
      "first fire time to run, included: 2026-11-01 or 2026-11-01T09:00 in the schedule's time zone, or with Z or an offset",
    )
    .requiredOption("--end <time>", "end of the window, excluded, written as --start is")
    .option("--max-concurrent <n>", "most backfill runs running at once", "1")
    .option("--dry-run", "list the fire times and what would be started; start nothing", false)
    .option("--poll-seconds <s>", "seconds between looks at the running runs", "5")
    .option(...NAME_OPTION)
    .action(async (flags: BackfillFlags) => {
      const [{ flowSchedule }, { parseZonedTime, formatInZone, inDaylightSavingGap }] = await Promise.all([
        import("../../../aws/schedule/schedule-plan.js"),
        import("../../../aws/schedule/zoned-time.js"),
      ]);
      const flow = context.flow;
      const schedule = flowSchedule(flow);
      if (!schedule) {
        throw new UsageError(
          `Flow '${flow.name}' has no schedule: a backfill runs the fire times of a schedule. Add schedule({ … }) to the flow and deploy it with step-functions create.`,
          "FS_SFN_NO_SCHEDULE",
        );
      }
      const time = (flag: string, text: string) => {
        const value = parseZonedTime(text, schedule.timezone);
        if (!value) {
          throw new UsageError(
            `Invalid ${flag} '${text}': give a date or date and time, e.g. 2026-11-01 or 2026-11-01T09:00 (read in ${schedule.timezone}), or one with Z or an offset.`,
          );
        }
        return value;
      };
      const start = time("--start", flags.start);
      const end = time("--end", flags.end);
      if (end <= start) {
        // A time the clocks skip reads as the instant an hour later, which can pass the other end.
        for (const [flag, text] of [
          ["--start", flags.start],
          ["--end", flags.end],
        ] as const) {
          if (inDaylightSavingGap(text, schedule.timezone)) {
            throw new UsageError(
              `Invalid backfill window: ${flag} '${text}' falls in a daylight-saving gap of ${schedule.timezone} (the clocks skip that time there); give a time outside it.`,
            );
          }
        }
        throw new UsageError(
          `Invalid backfill window: --end '${flags.end}' is not after --start '${flags.start}'.`,
        );
      }
      const maxConcurrent = wholeNumberOption("--max-concurrent", flags.maxConcurrent);
      const poll = pollMs(flags.pollSeconds);
      const { backfill } = await import("../../../aws/deploy/backfill.js");
      const aws = await awsCommandContext(context, { command: "backfill", ...targetChoice(flags) });
      const print = (line: string) => process.stderr.write(`${line}\n`);
      print(
        `Backfill of ${flow.name} (state machine ${aws.target.name}, ${schedule.expression} in ${schedule.timezone}) from ${formatInZone(start, schedule.timezone)} to ${formatInZone(end, schedule.timezone)}${flags.dryRun ? ", dry run" : ""}. Stopping this command stops no run; run it again to go on.`,
      );
      const result = await backfill({
        sfn: aws.clients.sfn,
        target: aws.target,
        schedule,
        start,
        end,
        maxConcurrent,
        dryRun: flags.dryRun,
        pollMs: poll,
        print,
      });
      const pending = result.fireTimes - result.skipped;
      process.stdout.write(
        flags.dryRun
          ? `${result.fireTimes} fire times: ${result.skipped} already succeeded, ${pending} to run.\n`
          : `${result.fireTimes} fire times: ${result.skipped} already succeeded, ${result.started} started, ${result.succeeded} succeeded${result.failed.length > 0 ? `, ${result.failed.length} did not: ${result.failed.join(", ")}` : ""}.\n`,
      );
      if (result.failed.length > 0) process.exitCode = 1;
    });
}
