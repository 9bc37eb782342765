/**
 * Parameters as the programmatic API takes them: typed values, checked against the flow's
 * declaration by TypeScript (`ParametersOf`) and again when the run starts (the same checks and
 * FS_PARAM_VALUE errors as values typed on the command line). An includeFile parameter takes a
 * path, read when the run starts, as `--movies other.csv` does.
 */
import type { AnyArtifacts } from "../client/data-artifact.js";
import { ParameterValueError } from "../flow/errors.js";
import type { Flow, ParametersOf } from "../flow/flow-builder.js";
import type { FlowSpec } from "../flow/types.js";

/** The artifacts a Client `Run` of the flow is typed with: the flow's own when TypeScript sees its definition. */
export type RunArtifacts<F> = F extends Flow<infer A, any> ? A : AnyArtifacts;

/**
 * The arguments of a call that takes parameters: the parameters may be left out only when the
 * flow has no required parameter without a default.
 */
export type ParameterArguments<F, O> = [...ParameterArgument<F>, options?: O];

/** The parameters alone, as `trigger()` takes them. */
export type ParameterArgument<F> =
  Record<never, never> extends ParametersOf<F>
    ? [parameters?: ParametersOf<F>]
    : [parameters: ParametersOf<F>];

/** Given values split the way the runtime takes them: includeFile paths as text, the rest typed. */
export interface GivenValues {
  text: Record<string, string>;
  json: Record<string, unknown>;
}

/** Splits given values (an `undefined` value counts as not given). Unknown names go on, to be reported with the rest. */
export function givenValues(flow: FlowSpec, parameters: object | undefined): GivenValues {
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
        `Invalid value for parameter '${name}' of flow '${flow.name}': expected the path of a file to include, got ${JSON.stringify(value)}.`,
      );
    }
  }
  return given;
}
