import type { Command } from "commander";
import { parameterFromEnvironment } from "../config.js";
import type { FlowSpec } from "../flow/types.js";

/** Parameter values given as text, and where the ones not from the command line came from. */
export interface ParameterText {
  text: Record<string, string>;
  sources: Record<string, string>;
}

/**
 * Adds one `--<name> <type>` option per flow parameter to a command (`run`, `simulate`,
 * `trigger`), and returns a function that picks the given values out of the parsed options as
 * text. A parameter whose name clashes with an existing option gets no flag: validation reports
 * the clash when the command runs. With `fromEnvironment`, a parameter not on the command line is
 * read from FLOWSHIP_RUN_<NAME> (Metaflow's METAFLOW_RUN_<NAME>). A boolean flag may stand alone
 * (`--verbose` is `--verbose true`).
 */
export function addParameterOptions(
  command: Command,
  flow: FlowSpec,
  options: { fromEnvironment?: boolean } = {},
): (parsed: Record<string, unknown>) => ParameterText {
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
    const env = options.fromEnvironment ? ` [env: ${parameterFromEnvironment(p.name).variable}]` : "";
    const list = p.separator !== undefined ? ` [a list: split on ${JSON.stringify(p.separator)}]` : "";
    command.option(
      p.type === "boolean" ? `--${p.name} [boolean]` : `--${p.name} <${p.type}>`,
      `${p.help ?? `parameter ${p.name}`}${p.required ? " [required]" : ""}${defaultText}${list}${env}`,
    );
  }
  return (parsed) => {
    const text: Record<string, string> = {};
    const sources: Record<string, string> = {};
    for (const name of added) {
      const value = parsed[name];
      if (typeof value === "string") text[name] = value;
      else if (value === true) text[name] = "true";
      else if (options.fromEnvironment) {
        const { variable, value } = parameterFromEnvironment(name);
        if (value !== undefined) {
          text[name] = value;
          sources[name] = `environment variable ${variable}`;
        }
      }
    }
    return { text, sources };
  };
}
