import type { Command } from "commander";
import { UsageError } from "../../errors.js";
import { parseIsoInstant } from "../../util/iso-time.js";
import type { FlowCommandContext } from "../flow-commands.js";
import { addParameterOptions } from "../parameter-options.js";
import { addRunOptions, type CommonRunFlags, startRun } from "../run-common.js";

export function registerRun(program: Command, context: FlowCommandContext): void {
  const command = addRunOptions(
    program.command("run").description(`run flow ${context.flow.name} locally`),
    context.flow,
  ).option(
    "--scheduled-time <time>",
    "the schedule's fire time this run stands for, as `current.scheduledTime` (ISO 8601: 2026-11-30 or 2026-11-30T02:00:00+01:00)",
  );
  const parameterText = addParameterOptions(command, context.flow, { fromEnvironment: true });
  command.action(async (options: CommonRunFlags & Record<string, unknown>) => {
    const { text, sources } = parameterText(options);
    const scheduledTime = scheduledTimeOption(options.scheduledTime as string | undefined);
    process.exitCode = await startRun(context, options, {
      parameterText: text,
      parameterSources: sources,
      ...(scheduledTime ? { scheduledTime } : {}),
    });
  });
}

/** `--scheduled-time`, checked before anything runs, as an ISO instant in UTC. */
function scheduledTimeOption(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const time = parseIsoInstant(text);
  if (!time) {
    throw new UsageError(
      `Invalid --scheduled-time '${text}': give an ISO 8601 date or date and time with its zone, e.g. 2026-11-30 or 2026-11-30T02:00:00+01:00.`,
    );
  }
  return time.toISOString();
}
