import type { Flow } from "../../flow/flow-builder.js";
import type { SourceLocation } from "../../flow/source-location.js";
import type { FlowSpec, StepSpec } from "../../flow/types.js";
import type { GraphIssue } from "../errors.js";

/** A lint rule looks at the whole flow and reports every place that breaks it. */
export type LintRule = (flow: FlowSpec, report: (issue: GraphIssue) => void) => void;

export function stepIssue(
  flow: FlowSpec,
  step: StepSpec | undefined,
  code: string,
  message: string,
): GraphIssue {
  return { code, message: `${message} (flow '${flow.name}')`, location: step?.location ?? flow.location };
}

export function parameterLocation(flow: FlowSpec, name: string): SourceLocation | undefined {
  return (flow as Partial<Flow>).parameterLocations?.get(name) ?? flow.location;
}

export function list(names: Iterable<string>): string {
  return [...names].map((n) => `'${n}'`).join(", ");
}
