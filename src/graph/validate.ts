import type { FlowSpec } from "../flow/types.js";
import { FlowValidationError, type GraphIssue } from "./errors.js";
import { buildGraph, type FlowGraph } from "./flow-graph.js";
import { NAME_RULES } from "./lint/names.js";
import { SHAPE_RULES } from "./lint/shape.js";
import { TRANSITION_RULES } from "./lint/transitions.js";

/**
 * Every rule a flow must meet before any task runs. The rules run in stages: names and
 * transitions first, then (only when those hold) the shape of the graph, whose rules assume
 * every `next` names a real step.
 */
export function lintFlow(flow: FlowSpec): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const report = (issue: GraphIssue) => issues.push(issue);
  for (const rule of [...NAME_RULES, ...TRANSITION_RULES]) rule(flow, report);
  if (issues.some((i) => STRUCTURAL.has(i.code))) return issues;
  for (const rule of SHAPE_RULES) {
    rule(flow, report);
    if (issues.length > 0) break;
  }
  return issues;
}

const STRUCTURAL = new Set([
  "FS_GRAPH_NO_START",
  "FS_GRAPH_NO_END",
  "FS_GRAPH_UNKNOWN_STEP",
  "FS_GRAPH_DUPLICATE_STEP",
  "FS_GRAPH_MISSING_NEXT",
  "FS_GRAPH_BAD_FOREACH",
  "FS_GRAPH_JOIN_AND_SPLIT",
  "FS_GRAPH_END_HAS_NEXT",
  "FS_GRAPH_START_HAS_INCOMING",
  "FS_GRAPH_DUPLICATE_NEXT",
  "FS_GRAPH_BAD_SWITCH",
  "FS_GRAPH_SWITCH_AND_SPLIT",
]);

/** Checks a flow and builds its graph; throws a FlowValidationError listing every broken rule. */
export function validateFlow(flow: FlowSpec): FlowGraph {
  const issues = lintFlow(flow);
  if (issues.length > 0) throw new FlowValidationError(flow.name, issues);
  return buildGraph(flow);
}
