/**
 * Loops on Step Functions. The task ids of a step on a loop carry the loop's iteration (see
 * task/task-id.ts); the state input carries each loop's count as `$.loop_<header>.n`. Every
 * edge into a loop's header passes a Pass state: `<header>-first-iteration` sets the count to 0
 * when the loop is entered, `<header>-next-iteration` adds one when a case goes back. A retry,
 * or the fallback of `catchError`, reads the same count, so it runs as the same task.
 */
import type { FlowGraph, GraphNode } from "../../graph/flow-graph.js";
import { type PathRef, ref, statesFormat } from "../asl/intrinsics.js";
import { PassState } from "../asl/pass-state.js";

/** Where the count of the loop headed by `header` sits in the state input. */
export function loopCountPath(header: string): string {
  return `$.loop_${header}`;
}

export function firstIterationStateName(header: string): string {
  return `${header}-first-iteration`;
}

export function nextIterationStateName(header: string): string {
  return `${header}-next-iteration`;
}

/** The state an edge `from → to` of the flow's graph goes to: a loop's header through its count. */
export function edgeTarget(graph: FlowGraph, from: string, to: string): string {
  const loop = graph.loops.find((l) => l.header === to);
  if (!loop) return to;
  return loop.steps.has(from) ? nextIterationStateName(to) : firstIterationStateName(to);
}

/** The two Pass states in front of a loop's header. */
export function loopCountStates(header: string): Array<[string, PassState]> {
  return [
    [
      firstIterationStateName(header),
      new PassState({
        comment: `Enters the loop at step '${header}': its first iteration.`,
        result: { n: 0 },
        resultPath: loopCountPath(header),
        next: header,
      }),
    ],
    [
      nextIterationStateName(header),
      new PassState({
        comment: `Goes back to step '${header}': the next iteration of its loop.`,
        parameters: { "n.$": `States.MathAdd(${loopCountPath(header)}.n, 1)` },
        resultPath: loopCountPath(header),
        next: header,
      }),
    ],
  ];
}

/**
 * The parts of a task id of `node` for `statesFormat`: "0" outside any foreach, else the
 * iteration's `$.taskId`; then "-<count>" per loop the step is on.
 */
export function taskIdParts(node: GraphNode): Array<string | PathRef> {
  const parts: Array<string | PathRef> = [node.foreachDepth === 0 ? "0" : ref("$.taskId")];
  for (const header of node.loops) parts.push("-", ref(`${loopCountPath(header)}.n`));
  return parts;
}

/** The task id of `node` as a fixed value, or as an intrinsic that builds it at run time. */
export function taskIdValue(node: GraphNode): { fixed: string } | { expression: string } {
  const parts = taskIdParts(node);
  if (parts.length === 1 && typeof parts[0] === "string") return { fixed: parts[0] };
  if (parts.length === 1) return { expression: (parts[0] as PathRef).path };
  return { expression: statesFormat(...parts) };
}
