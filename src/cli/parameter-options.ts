import type { Command } from "commander";
import type { FlowSpec } from "../flow/types.js";

/**
 * Adds one `--<name> <type>` option per flow parameter to a command (`run`, `simulate`,
 * `trigger`), and returns a function that picks the given values out of the parsed options as
 * text. A parameter whose name clashes with an existing option gets no flag: validation reports
 * the clash when the command runs.
 */
export function addParameterOptions(
  command: Command,
  flow: FlowSpec,
): (options: Record<string, unknown>) => Record<string, string> {
  const taken = new Set(command.options.map((o) => o.long?.slice(2).toLowerCase()));
  const added: string[] = [];
  for (const p of flow.parameters) {
    if (taken.has(p.name.toLowerCase())) continue;
    taken.add(p.name.toLowerCase());
    added.push(p.name);
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
  return (options) => {
    const text: Record<string, string> = {};
    for (const name of added) if (typeof options[name] === "string") text[name] = options[name] as string;
    return text;
  };
}
