/**
 * Parameters as the programmatic API takes them: typed values, checked against the flow's
 * declaration by TypeScript (`ParametersOf`) and again when the run starts (the same checks and
 * FS_PARAM_VALUE errors as values typed on the command line). An includeFile parameter takes a
 * path, read when the run starts, as `--movies other.csv` does.
 */
import type { AnyArtifacts } from "../client/data-artifact.js";
import { ParameterValueError } from "../flow/errors.js";
import type { Flow, ParametersOf } from "../flow/flow-builder.js";
import { shownValue } from "../flow/parameters.js";
import type { FlowSpec } from "../flow/types.js";

/** The artifacts a Client `Run` of the flow is typed with: the flow's own when TypeScript sees its definition. */
export type RunArtifacts<F> = F extends Flow<infer A, any, any> ? A : AnyArtifacts;

/** The parameters a caller must give: the flow's required parameters without a default. */
export type RequiredParameterNames<F> = {
  [K in keyof ParametersOf<F>]-?: Record<never, never> extends Pick<ParametersOf<F>, K> ? never : K;
}[keyof ParametersOf<F>];

/**
 * The `this` of a call made without parameters (`run()`): anything when the flow has no required
 * parameter without a default; else a type no object has, whose text TypeScript's error shows —
 * "'this' … is not assignable to … "run() needs the flow's required parameters: greeting"".
 */
export type WithoutParameters<F, Call extends string> = [RequiredParameterNames<F>] extends [never]
  ? unknown
  : `${Call}() needs the flow's required parameters: ${RequiredParameterNames<F> & string}`;

/** Given values split the way the runtime takes them: includeFile paths as text, the rest typed. */
export interface GivenValues {
  text: Record<string, string>;
  json: Record<string, unknown>;
}

/**
 * Splits given values (an `undefined` value counts as not given), after checking their names: an
 * unknown one, or a required parameter without a default left out (named by its key, where the
 * CLI's message names its flag).
 */
export function givenValues(flow: FlowSpec, parameters: object | undefined): GivenValues {
  // JavaScript callers pass anything: a string's characters are no parameters.
  if (
    parameters !== undefined &&
    parameters !== null &&
    (typeof parameters !== "object" || Array.isArray(parameters))
  ) {
    throw new ParameterValueError(
      `Invalid parameters of flow '${flow.name}': expected an object of values by name, got ${shownValue(parameters)}.`,
    );
  }
  const given: GivenValues = { text: {}, json: {} };
  const included = new Set(flow.parameters.filter((p) => p.includeFile).map((p) => p.name));
  for (const [name, value] of Object.entries(parameters ?? {})) {
    if (value === undefined) continue;
    if (!included.has(name)) {
      given.json[name] = value;
    } else if (typeof value === "string") {
      given.text[name] = value;
    } else {
      throw new ParameterValueError(
        `Invalid value for parameter '${name}' of flow '${flow.name}': expected the path of a file to include, got ${shownValue(value)}.`,
      );
    }
  }
  // A misspelled name is the news, before the parameter it was meant to be is missing.
  const known = new Set(flow.parameters.map((p) => p.name));
  const unknown = Object.keys({ ...given.text, ...given.json }).find((name) => !known.has(name));
  if (unknown !== undefined) {
    throw new ParameterValueError(
      `Unknown parameter '${unknown}' for flow '${flow.name}'; its parameters are: ${[...known].join(", ") || "(none)"}.`,
    );
  }
  const missing = flow.parameters
    .filter((p) => p.required && !p.hasDefault && !(p.name in given.text) && !(p.name in given.json))
    .map((p) => p.name);
  if (missing.length > 0) {
    throw new ParameterValueError(
      `Missing required parameter${missing.length > 1 ? "s" : ""} of flow '${flow.name}': '${missing.join(", ")}'. Give ${missing.length > 1 ? "them" : "it"} in the parameters, e.g. { ${missing.map((n) => `${n}: …`).join(", ")} }.`,
    );
  }
  return given;
}
