import { FlowshipError } from "../errors.js";
import { formatLocation, type SourceLocation } from "../flow/source-location.js";

/** One broken rule of a flow's graph, located at the step (or parameter) that breaks it. */
export interface GraphIssue {
  code: string;
  message: string;
  location?: SourceLocation;
}

export function formatIssue(issue: GraphIssue): string {
  return `${formatLocation(issue.location)}: ${issue.message}`;
}

/** A flow whose graph breaks one or more rules; nothing ran. Each issue is one line. */
export class FlowValidationError extends FlowshipError {
  readonly issues: readonly GraphIssue[];
  constructor(flowName: string, issues: readonly GraphIssue[]) {
    const lines = issues.map(formatIssue);
    super(
      issues[0]!.code,
      issues.length === 1
        ? lines[0]!
        : `Flow '${flowName}' breaks ${issues.length} rules:\n${lines.map((l) => `  ${l}`).join("\n")}`,
    );
    this.issues = issues;
  }
}
