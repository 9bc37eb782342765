import type { Command } from "commander";
import type { FlowCommandContext } from "../flow-commands.js";
import { addRunOptions, type CommonRunFlags, startRun } from "../run-common.js";

export function registerRun(program: Command, context: FlowCommandContext): void {
  const command = addRunOptions(program.command("run").description(`run flow ${context.flow.name} locally`));
  const taken = new Set(command.options.map((o) => o.long?.slice(2).toLowerCase()));
  for (const p of context.flow.parameters) {
    // A clashing name is reported by validation when the command runs; it gets no flag here.
    if (taken.has(p.name.toLowerCase())) continue;
    taken.add(p.name.toLowerCase());
    const defaultText =
      p.hasDefault && typeof p.default !== "function"
        ? ` [default: ${JSON.stringify(p.default)}]`
        : p.hasDefault
          ? " [default: computed at run start]"
          : "";
    command.option(
      `--${p.name} <${p.type}>`,
      `${p.help ?? `parameter ${p.name}`}${p.required ? " [required]" : ""}${defaultText}`,
    );
  }
  command.action(async (options: CommonRunFlags & Record<string, string>) => {
    const parameterText: Record<string, string> = {};
    for (const p of context.flow.parameters) {
      if (options[p.name] !== undefined) parameterText[p.name] = options[p.name]!;
    }
    process.exitCode = await startRun(context, options, { parameterText });
  });
}
