/**
 * A task's inputs and foreach stack, derived from the graph, its step and its task id alone.
 * Task ids are deterministic (the foreach indices, joined with "."), so a task started by Step
 * Functions needs nothing but its id: no list of parent tasks travels in the state payload.
 */
import type { FlowStore } from "../datastore/flow-store.js";
import type { ForeachFrame } from "../datastore/records-types.js";
import { FlowshipError } from "../errors.js";
import type { FlowGraph } from "../graph/flow-graph.js";

export interface DerivedTask {
  inputs: string[];
  foreachStack: ForeachFrame[];
}

/** The foreach indices in a task id; outside any foreach the id is "0" and there are none. */
function indices(taskId: string, depth: number): number[] {
  return depth === 0 ? [] : taskId.split(".").map(Number);
}

/** The id of a task whose foreach indices are `path`. */
export function taskIdFor(path: readonly number[]): string {
  return path.length === 0 ? "0" : path.join(".");
}

async function foreachFrames(
  store: FlowStore,
  graph: FlowGraph,
  runId: string,
  step: string,
  path: number[],
) {
  const foreaches = graph.nodes.get(step)!.splitParents.filter((s) => graph.nodes.get(s)!.type === "foreach");
  if (foreaches.length !== path.length) {
    throw new FlowshipError(
      "FS_TASK_BAD_ID",
      `Task id '${taskIdFor(path)}' does not fit step '${step}', which sits in ${foreaches.length} foreach(es).`,
    );
  }
  const frames: ForeachFrame[] = [];
  for (const [depth, foreach] of foreaches.entries()) {
    const parentId = taskIdFor(path.slice(0, depth));
    const end = await store.readSuccessfulEnd(runId, foreach, parentId);
    if (!end?.foreach) {
      throw new FlowshipError(
        "FS_TASK_INPUT_MISSING",
        `Foreach task '${store.flow}/${runId}/${foreach}/${parentId}' has not succeeded.`,
      );
    }
    const items = end.artifacts[end.foreach.var];
    frames.push({
      step: foreach,
      index: path[depth]!,
      numSplits: end.foreach.numSplits,
      ...(items ? { items } : {}),
    });
  }
  return frames;
}

export async function deriveTask(
  store: FlowStore,
  graph: FlowGraph,
  runId: string,
  step: string,
  taskId: string,
): Promise<DerivedTask> {
  const node = graph.nodes.get(step);
  if (!node) throw new FlowshipError("FS_TASK_UNKNOWN_STEP", `Flow '${store.flow}' has no step '${step}'.`);
  const path = indices(taskId, node.foreachDepth);
  const foreachStack = await foreachFrames(store, graph, runId, step, path);
  if (step === "start") return { inputs: [], foreachStack };
  if (node.spec.join) {
    const split = graph.nodes.get(node.joins!)!;
    if (split.type === "foreach") {
      const end = await store.readSuccessfulEnd(runId, split.name, taskIdFor(path));
      const count = end?.foreach?.numSplits ?? 0;
      const inputs = Array.from(
        { length: count },
        (_, i) => `${runId}/${node.prev[0]}/${taskIdFor([...path, i])}`,
      );
      return { inputs, foreachStack };
    }
    return { inputs: node.prev.map((prev) => `${runId}/${prev}/${taskIdFor(path)}`), foreachStack };
  }
  const parent = graph.nodes.get(node.prev[0]!)!;
  const parentPath = parent.type === "foreach" ? path.slice(0, -1) : path;
  return { inputs: [`${runId}/${parent.name}/${taskIdFor(parentPath)}`], foreachStack };
}
