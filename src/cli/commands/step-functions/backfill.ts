/**
 * `step-functions backfill --start … --end …`: one run of the production version per fire time of
 * the flow's schedule in the window, each with its fire time (aws/deploy/backfill.ts). Times
 * without a zone are read in the schedule's time zone.
 */
import type { Command } from "commander";
import type { SchedulePlan } from "../../../aws/schedule/schedule-plan.js";
import { FlowshipError, UsageError } from "../../../errors.js";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { wholeNumberOption } from "../../options.js";
import { awsCommandContext, checkNamedDeployment, NAME_OPTION, targetChoice } from "./aws-context.js";

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
    .action((flags: BackfillFlags) => runBackfill(context, flags));
}

/** The time zone functions, loaded when the command runs (see runBackfill). */
type ZonedTime = typeof import("../../../aws/schedule/zoned-time.js");

/** Checks the window and the numbers, lists a dry run's fire times, then backfills (or checks). */
async function runBackfill(context: FlowCommandContext, flags: BackfillFlags): Promise<void> {
  const [{ flowSchedule }, zoned] = await Promise.all([
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
  const { start, end } = backfillWindow(flags, schedule, zoned);
  const maxConcurrent = wholeNumberOption("--max-concurrent", flags.maxConcurrent);
  const poll = pollMs(flags.pollSeconds);
  const { backfill, backfillSummary, fireTimesBetween } = await import("../../../aws/deploy/backfill.js");
  const print = (line: string) => process.stderr.write(`${line}\n`);
  const window = `from ${zoned.formatInZone(start, schedule.timezone)} to ${zoned.formatInZone(end, schedule.timezone)}`;
  if (flags.dryRun) {
    // The fire times need no AWS: shown first, so a dry run without credentials still shows them.
    const times = fireTimesBetween(schedule, start, end);
    print(
      `Dry run of a backfill of ${flow.name} (${schedule.expression} in ${schedule.timezone}) ${window}: ${times.length} fire time${times.length === 1 ? "" : "s"}, nothing is started.`,
    );
    times.forEach((time, i) => {
      print(`[${i + 1}/${times.length}] ${zoned.formatInZone(time, schedule.timezone)}`);
    });
  }
  const aws = await onDryRun(flags.dryRun, async () => {
    const found = await awsCommandContext(context, { command: "backfill", ...targetChoice(flags) });
    await checkNamedDeployment(found, flags);
    return found;
  });
  print(
    flags.dryRun
      ? `What already ran, from state machine ${aws.target.name}:`
      : `Backfill of ${flow.name} (state machine ${aws.target.name}, ${schedule.expression} in ${schedule.timezone}) ${window}. Stopping this command stops no run; run it again to go on.`,
  );
  const result = await onDryRun(flags.dryRun, () =>
    backfill({
      sfn: aws.clients.sfn,
      target: aws.target,
      schedule,
      start,
      end,
      maxConcurrent,
      dryRun: flags.dryRun,
      pollMs: poll,
      print,
    }),
  );
  process.stdout.write(`${backfillSummary(result, flags.dryRun)}\n`);
  if (result.failed.length > 0) process.exitCode = 1;
}

/**
 * `--start` and `--end`, read in the schedule's time zone and checked: the end after the start,
 * and no fire time in the window still to come.
 */
function backfillWindow(
  flags: BackfillFlags,
  schedule: SchedulePlan,
  zoned: ZonedTime,
): { start: Date; end: Date } {
  const time = (flag: string, text: string) => {
    const value = zoned.parseZonedTime(text, schedule.timezone);
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
      if (zoned.inDaylightSavingGap(text, schedule.timezone)) {
        throw new UsageError(
          `Invalid backfill window: ${flag} '${text}' falls in a daylight-saving gap of ${schedule.timezone} (the clocks skip that time there); give a time outside it.`,
        );
      }
    }
    throw new UsageError(
      `Invalid backfill window: --end '${flags.end}' is not after --start '${flags.start}'.`,
    );
  }
  // A fire time still to come is not missed: the schedule will start its run, and a backfill's
  // run started now would be a second one for that day, with data that is not there yet.
  const from = new Date(Math.max(start.getTime(), Date.now()));
  const coming = from < end ? schedule.between(from, end, 1)[0] : undefined;
  if (coming) {
    throw new UsageError(
      `Invalid backfill window: --end '${flags.end}' takes in the fire time ${zoned.formatInZone(coming, schedule.timezone)}, which is still to come (the schedule will run it); give an --end no later than now.`,
    );
  }
  return { start, end };
}

/**
 * In a dry run, an AWS call that fails (no credentials, no access) comes after the fire times
 * were shown: the message says that only the check of what already ran needed AWS.
 */
async function onDryRun<T>(dryRun: boolean, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (!dryRun || !(error instanceof Error) || (error as { code?: unknown }).code !== "FS_AWS_CALL")
      throw error;
    throw new FlowshipError(
      "FS_SFN_BACKFILL_CHECK",
      `The fire times above are planned; which of them already ran could not be checked: ${error.message.replace(/\.$/, "")}. That check (and a real backfill) needs AWS credentials that can read the state machine's executions.`,
      { cause: error },
    );
  }
}
