import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import type { FlowSpec } from "../../flow/types.js";
import type { FlowCommandContext } from "../command-context.js";
import { addParameterOptions } from "../parameter-options.js";
import { addRunOptions, type CommonRunFlags, startRun } from "../run-common.js";

export function registerRun(program: Command, context: FlowCommandContext): void {
  const command = addRunOptions(
    program.command("run").description(`run flow ${context.flow.name} locally`),
    context.flow,
  ).option(
    "--scheduled-time <time>",
    "the schedule's fire time this run stands for, as `current.scheduledTime`: 2026-11-30 or 2026-11-30T02:00 in the flow's schedule time zone (UTC without a schedule), or with Z or an offset",
  );
  const parameterText = addParameterOptions(command, context.flow, { fromEnvironment: true });
  command.action(async (options: CommonRunFlags & Record<string, unknown>) => {
    const { text, sources } = parameterText(options);
    const scheduledTime = await scheduledTimeOption(
      options.scheduledTime as string | undefined,
      context.flow,
    );
    process.exitCode = await startRun(context, options, {
      parameterText: text,
      parameterSources: sources,
      ...(scheduledTime ? { scheduledTime } : {}),
    });
  });
}

/**
 * `--scheduled-time`, checked before anything runs, as an ISO instant in UTC. A time without a
 * zone is read in the flow's schedule time zone, as `step-functions backfill --start` reads it, so
 * `2026-11-30` is the same fire time for both; a flow without a schedule reads it in UTC.
 */
export async function scheduledTimeOption(
  text: string | undefined,
  flow: FlowSpec,
): Promise<string | undefined> {
  if (text === undefined) return undefined;
  const [{ flowSchedule }, { parseZonedTime }] = await Promise.all([
    import("../../aws/schedule/schedule-plan.js"),
    import("../../aws/schedule/zoned-time.js"),
  ]);
  const timezone = flowSchedule(flow)?.timezone ?? "UTC";
  const time = parseZonedTime(text, timezone);
  if (!time) {
    throw new UsageError(
      `Invalid --scheduled-time '${text}': give an ISO 8601 date or date and time, e.g. 2026-11-30 or 2026-11-30T02:00 (read in ${timezone}), or one with Z or an offset such as 2026-11-30T02:00:00+01:00.`,
    );
  }
  return time.toISOString();
}
