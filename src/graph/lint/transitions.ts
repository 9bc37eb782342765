/**
 * Where each step goes: a start and an end, `next` names that exist, a well-formed split,
 * foreach or join, and an end that goes nowhere.
 */
import { switches } from "./loops.js";
import { type LintRule, list, stepIssue } from "./rule.js";

export const startAndEnd: LintRule = (flow, report) => {
  const names = new Set(flow.steps.map((s) => s.name));
  for (const required of ["start", "end"]) {
    if (!names.has(required)) {
      report({
        code: required === "start" ? "FS_GRAPH_NO_START" : "FS_GRAPH_NO_END",
        message: `Flow '${flow.name}' has no '${required}' step; every flow begins at 'start' and finishes at 'end'`,
        location: flow.location,
      });
    }
  }
};

export const transitions: LintRule = (flow, report) => {
  const names = new Set(flow.steps.map((s) => s.name));
  // Without an 'end', a step with no next is the intended end: the missing 'end' is the one issue.
  const hasEnd = names.has("end");
  for (const step of flow.steps) {
    const issue = (code: string, message: string) => report(stepIssue(flow, step, code, message));
    if (step.name === "end") {
      if (step.next.length > 0 || step.foreach !== undefined) {
        issue(
          "FS_GRAPH_END_HAS_NEXT",
          `The 'end' step must not have a next step, but it goes to ${list(step.next)}`,
        );
      }
      continue;
    }
    if (step.next.length === 0) {
      if (!hasEnd) continue;
      issue(
        "FS_GRAPH_MISSING_NEXT",
        `Step '${step.name}' has no next step; add { next: "…" } (only 'end' may finish the flow)`,
      );
      continue;
    }
    const unknown = step.next.filter((n) => !names.has(n));
    if (unknown.length > 0) {
      issue(
        "FS_GRAPH_UNKNOWN_STEP",
        `Step '${step.name}' goes to ${list(unknown)}, which ${unknown.length === 1 ? "is not a step" : "are not steps"}; known steps: ${list(names)}`,
      );
    }
    if (new Set(step.next).size !== step.next.length) {
      issue(
        "FS_GRAPH_DUPLICATE_NEXT",
        `Step '${step.name}' names the same next step twice: ${list(step.next)}`,
      );
    }
    if (step.next.includes("start")) {
      issue(
        "FS_GRAPH_START_HAS_INCOMING",
        `Step '${step.name}' goes back to 'start'; nothing may lead into 'start'`,
      );
    }
    if (step.foreach !== undefined && step.next.length !== 1 && step.cases === undefined) {
      issue(
        "FS_GRAPH_BAD_FOREACH",
        `Step '${step.name}' fans out over '${step.foreach}' to ${step.next.length} steps; a foreach has exactly one next step`,
      );
    }
    if (step.join && step.cases === undefined && (step.next.length > 1 || step.foreach !== undefined)) {
      issue(
        "FS_GRAPH_JOIN_AND_SPLIT",
        `Step '${step.name}' is both a join and a split; add a step between them so each does one thing`,
      );
    }
    if (step.name === "start" && step.join) {
      issue("FS_GRAPH_JOIN_WITHOUT_SPLIT", "The 'start' step cannot be a join: nothing comes before it");
    }
  }
};

export const decorators: LintRule = (flow, report) => {
  for (const step of flow.steps) {
    const kinds = step.decorators.map((d) => d.kind);
    const repeated = kinds.filter((k, i) => kinds.indexOf(k) !== i);
    if (repeated.length > 0) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_DUPLICATE_DECORATOR",
          `Step '${step.name}' has the ${list(new Set(repeated))} decorator more than once`,
        ),
      );
    }
    if (step.foreach !== undefined && kinds.includes("catch")) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_CATCH_ON_FOREACH",
          `Step '${step.name}' is a foreach and has catchError: a failed foreach has no items to fan out over; catch errors in the steps it fans out to`,
        ),
      );
    }
  }
};

export const TRANSITION_RULES: readonly LintRule[] = [startAndEnd, transitions, decorators, switches];
