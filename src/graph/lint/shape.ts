/**
 * The shape of the graph: every step reachable, every split and foreach closed by exactly one
 * join before 'end', every join fed by the branches of one split, loops inside the split they
 * start in. (Which loops may exist at all: loops.ts.)
 */
import type { FlowSpec } from "../../flow/types.js";
import { opensSplit, splitStacks, topologicalOrder } from "../flow-graph.js";
import { loopsWithAWayOut, switchesToJoins } from "./loops.js";
import { type LintRule, list, stepIssue } from "./rule.js";

export const reachable: LintRule = (flow, report) => {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  if (!byName.has("start")) return;
  const seen = new Set<string>(["start"]);
  const queue = ["start"];
  while (queue.length > 0) {
    for (const target of byName.get(queue.shift()!)?.next ?? []) {
      if (byName.has(target) && !seen.has(target)) {
        seen.add(target);
        queue.push(target);
      }
    }
  }
  for (const step of flow.steps) {
    if (!seen.has(step.name)) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_UNREACHABLE",
          `Step '${step.name}' is unreachable from 'start'; lead to it from another step or remove it`,
        ),
      );
    }
  }
};

export const splitsAndJoins: LintRule = (flow, report) => {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  for (const step of flow.steps) {
    const opens = opensSplit(step);
    const direct = step.next.filter((n) => byName.get(n)?.join);
    if (opens && direct.length > 0) {
      report(
        stepIssue(
          flow,
          step,
          "FS_GRAPH_EMPTY_BRANCH",
          `Step '${step.name}' is a ${step.foreach !== undefined ? "foreach" : "split"} that goes straight to the join ${list(direct)}; put at least one step in each branch`,
        ),
      );
      return;
    }
  }
  // Only the first problem is reported: the ones after it follow from it.
  let reported = false;
  splitStacks(flow, topologicalOrder(flow), (kind, name, detail) => {
    if (reported) return;
    reported = true;
    const step = byName.get(name);
    const messages = {
      "join-without-split": [
        "FS_GRAPH_JOIN_WITHOUT_SPLIT",
        `Step '${name}' is a join but no split or foreach comes before it; ${
          flow.steps.filter((s) => s.next.includes(name)).length > 1
            ? "the cases of a switch meet at a plain step: remove join: true (its function takes self only)"
            : "remove join: true or add the split"
        }`,
      ],
      "join-unrelated": [
        "FS_GRAPH_JOIN_UNRELATED",
        `Join '${name}' joins steps from different splits (${detail.inputs}); join each split on its own first`,
      ],
      "join-mismatch": [
        "FS_GRAPH_JOIN_MISMATCH",
        `Join '${name}' is fed by ${detail.inputs} but split '${detail.split}' opened the branches ${detail.expected}; every branch of a split must reach its join`,
      ],
      "not-a-join": [
        "FS_GRAPH_NOT_A_JOIN",
        `Step '${name}' is reached from ${detail.inputs} but is not a join; add join: true and take (self, inputs)`,
      ],
      "unjoined-split": [
        "FS_GRAPH_UNJOINED_SPLIT",
        `The 'end' step is reached before the split(s) '${detail.splits}' were joined; ${joinHint(flow)}`,
      ],
      "loop-leaves-split": [
        "FS_GRAPH_LOOP_LEAVES_SPLIT",
        `Step '${name}' goes back to '${detail.header}' from inside '${detail.split}', a split or foreach the loop began outside of; join it first, then go back`,
      ],
    } as const;
    const [code, message] = messages[kind];
    report(stepIssue(flow, step, code, message));
  });
};

/**
 * The likely fix of an unjoined split: a step written as a join — its function takes
 * `(self, inputs)` — that lacks `join: true`; else a join step to add.
 */
function joinHint(flow: FlowSpec): string {
  const meant = flow.steps.find((s) => !s.join && s.name !== "start" && s.fn.length >= 2);
  return meant
    ? `step '${meant.name}' takes (self, inputs) but is not a join: add join: true to it`
    : "add a join step before 'end'";
}

export const SHAPE_RULES: readonly LintRule[] = [
  loopsWithAWayOut,
  reachable,
  splitsAndJoins,
  switchesToJoins,
];
