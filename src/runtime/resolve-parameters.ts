import { ParameterValueError } from "../flow/errors.js";
import { checkParameterValue, parseParameterText } from "../flow/parameters.js";
import type { FlowSpec } from "../flow/types.js";

/**
 * The value of every parameter of a run: given on the command line (as text) or in a trigger
 * (as JSON), else its default (a function default is called now), else an error for a required
 * one. Every missing parameter is reported at once.
 */
export async function resolveParameters(
  flow: FlowSpec,
  given: { text?: Record<string, string>; sources?: Record<string, string>; json?: Record<string, unknown> },
  user: string,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  const known = new Set(flow.parameters.map((p) => p.name));
  for (const name of [...Object.keys(given.text ?? {}), ...Object.keys(given.json ?? {})]) {
    if (!known.has(name)) {
      throw new ParameterValueError(
        `Unknown parameter '${name}' for flow '${flow.name}'; its parameters are: ${[...known].join(", ") || "(none)"}.`,
      );
    }
  }
  const missing: string[] = [];
  for (const spec of flow.parameters) {
    if (given.text && spec.name in given.text) {
      values[spec.name] = parseParameterText(
        flow.name,
        spec,
        given.text[spec.name]!,
        given.sources?.[spec.name],
      );
    } else if (given.json && spec.name in given.json) {
      values[spec.name] = checkParameterValue(flow.name, spec, given.json[spec.name], "value");
    } else if (spec.hasDefault) {
      const value =
        typeof spec.default === "function"
          ? await spec.default({ flowName: flow.name, parameterName: spec.name, user })
          : spec.default;
      values[spec.name] = checkParameterValue(flow.name, spec, value, "default");
    } else if (spec.required) {
      missing.push(`--${spec.name}`);
    } else {
      values[spec.name] = undefined;
    }
  }
  if (missing.length > 0) {
    throw new ParameterValueError(
      `Missing required parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")} for flow '${flow.name}'.`,
    );
  }
  return values;
}
