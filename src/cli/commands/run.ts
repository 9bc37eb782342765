import type { Command } from "commander";
import type { FlowCommandContext } from "../flow-commands.js";
import { addParameterOptions } from "../parameter-options.js";
import { addRunOptions, type CommonRunFlags, startRun } from "../run-common.js";

export function registerRun(program: Command, context: FlowCommandContext): void {
  const command = addRunOptions(
    program.command("run").description(`run flow ${context.flow.name} locally`),
    context.flow,
  );
  const parameterText = addParameterOptions(command, context.flow, { fromEnvironment: true });
  command.action(async (options: CommonRunFlags & Record<string, unknown>) => {
    const { text, sources } = parameterText(options);
    process.exitCode = await startRun(context, options, { parameterText: text, parameterSources: sources });
  });
}
