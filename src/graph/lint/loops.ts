/**
 * Switches and loops: a switch names its condition and at least two cases, is nothing else at
 * the same time, and never leads straight into a join; a loop ends (a switch case leads out of
 * it) and is entered at one step.
 */
import { findLoops } from "../loops.js";
import { type LintRule, list, stepIssue } from "./rule.js";

const ARTIFACT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const switches: LintRule = (flow, report) => {
  for (const step of flow.steps) {
    /** A malformed switch: a condition without cases or cases without one, fewer than two cases, a case naming no step. */
    const issue = (message: string, code = "FS_GRAPH_BAD_SWITCH") =>
      report(stepIssue(flow, step, code, message));
    if (step.cases === undefined) {
      if (step.condition !== undefined) {
        issue(
          `Step '${step.name}' has condition '${step.condition}' but its next is not a map of cases; write next: { "<value>": "<step>", … }`,
        );
      }
      continue;
    }
    if (step.condition === undefined) {
      issue(
        `Step '${step.name}' maps values to next steps but names no condition; add condition: "<artifact>" to say which artifact picks the case`,
      );
      continue;
    }
    if (!ARTIFACT_NAME.test(step.condition)) {
      issue(`Step '${step.name}' has condition '${step.condition}', which is not an artifact name`);
    }
    const cases = Object.entries(step.cases);
    if (cases.length < 2) {
      issue(
        `Step '${step.name}' is a switch with ${cases.length} case${cases.length === 1 ? "" : "s"}; a switch needs at least two (use next: "<step>" for one way on)`,
      );
    }
    const notNames = cases.filter(([, target]) => typeof target !== "string");
    if (notNames.length > 0) {
      issue(
        `Step '${step.name}' has case${notNames.length > 1 ? "s" : ""} ${list(notNames.map(([value]) => value))} that do not name a step; each case maps a value to a step name`,
      );
    }
    if (step.foreach !== undefined || step.join) {
      issue(
        `Step '${step.name}' is a switch and a ${step.join ? "join" : "foreach"}; add a step between them so each does one thing`,
        "FS_GRAPH_SWITCH_AND_SPLIT",
      );
    }
    if (step.decorators.some((d) => d.kind === "catch")) {
      issue(
        `Step '${step.name}' is a switch and has catchError: a failed switch step has no case to go to; catch errors in the steps its cases lead to`,
        "FS_GRAPH_CATCH_ON_SWITCH",
      );
    }
  }
};

export const loopsWithAWayOut: LintRule = (flow, report) => {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  for (const found of findLoops(flow).issues) {
    const step = byName.get(found.cycle[0]!);
    const path = found.cycle.join(" -> ");
    if (found.kind === "several-entries") {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_LOOP_ENTRIES",
          `The loop ${path} is entered at ${list(found.entries)}; enter a loop at one step, where each of its iterations begins`,
        ),
      );
    } else if (!found.hasSwitch) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_CYCLE",
          `There is a loop in the flow: ${path}; only a switch (condition and next: { … }) may lead back to an earlier step, with a case that leaves the loop`,
        ),
      );
    } else {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_ENDLESS_LOOP",
          `The loop ${path} never ends: no case of a switch in it leads out of it; give one a case that leaves the loop`,
        ),
      );
    }
  }
};

/** Metaflow's rule too: a join waits for its branches, and a case that is not taken never arrives. */
export const switchesToJoins: LintRule = (flow, report) => {
  const joins = new Set(flow.steps.filter((s) => s.join).map((s) => s.name));
  for (const step of flow.steps) {
    if (step.cases === undefined) continue;
    const direct = step.next.filter((n) => joins.has(n));
    if (direct.length > 0) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_SWITCH_TO_JOIN",
          `Switch '${step.name}' leads straight into the join ${list(direct)}; put a step between them on that case (a join waits for every branch, and a case not taken never arrives)`,
        ),
      );
    }
  }
};
