/**
 * A task's inputs and foreach stack, derived from the graph, its step and its task id alone
 * (task-id.ts), so a task started by Step Functions needs nothing but its id: no list of parent
 * tasks travels in the state payload. Where a switch leaves the way open (a step several cases
 * lead to, a loop's header, the step after a loop), the input is the predecessor task that ran
 * and chose this step, found in the datastore.
 */
import type { FlowStore } from "../datastore/flow-store.js";
import type { AttemptEndRecord, ForeachFrame } from "../datastore/records-types.js";
import { FlowshipError } from "../errors.js";
import type { FlowGraph, GraphNode } from "../graph/flow-graph.js";
import { compareTaskIds, formatTaskId, itemContext, type ParsedTaskId, parseTaskId } from "./task-id.js";

export { taskIdFor } from "./task-id.js";

/** Datastore lookups of a foreach join's inputs in flight at once. */
const LOOKUPS_AT_ONCE = 64;

export interface DerivedTask {
  inputs: string[];
  foreachStack: ForeachFrame[];
}

async function foreachFrames(
  store: FlowStore,
  graph: FlowGraph,
  runId: string,
  node: GraphNode,
  id: ParsedTaskId,
) {
  const foreaches = node.splitParents.filter((s) => graph.nodes.get(s)!.type === "foreach");
  const frames: ForeachFrame[] = [];
  for (const [depth, foreach] of foreaches.entries()) {
    const parentId = id.foreachTaskIds[depth]!;
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
      var: end.foreach.var,
      index: id.indices[depth]!,
      numSplits: end.foreach.numSplits,
      ...(items ? { items } : {}),
    });
  }
  return frames;
}

/** Whether the task ran and went on to `step`: a switch goes where its case led. */
function ledTo(end: AttemptEndRecord | undefined, step: string): boolean {
  return end !== undefined && (end.switch === undefined || end.switch.next === step);
}

/**
 * The one of `candidates` (task ids of steps) that ran and led to `step`. With one candidate and
 * no switch on the way it is taken as it is, without a read.
 */
async function whichRan(
  store: FlowStore,
  graph: FlowGraph,
  runId: string,
  step: string,
  candidates: Array<[string, string | undefined]>,
): Promise<string> {
  const known = candidates.filter((c): c is [string, string] => c[1] !== undefined);
  if (known.length === 1 && graph.nodes.get(known[0]![0])!.type !== "switch" && candidates.length === 1) {
    return `${runId}/${known[0]![0]}/${known[0]![1]}`;
  }
  for (const [prev, taskId] of known) {
    if (ledTo(await store.readSuccessfulEnd(runId, prev, taskId), step)) return `${runId}/${prev}/${taskId}`;
  }
  throw new FlowshipError(
    "FS_TASK_INPUT_MISSING",
    `No task of ${candidates.map(([p]) => `'${p}'`).join(" or ")} in run '${store.flow}/${runId}' led to step '${step}' (tried ${known.map(([p, t]) => `${p}/${t}`).join(", ") || "none"}).`,
  );
}

/** The latest iteration of `prev` in `context` at the outer iterations given: the one that left its loop. */
async function lastIteration(
  store: FlowStore,
  runId: string,
  prev: string,
  prefix: string,
  extra: number,
): Promise<string | undefined> {
  const ids = (await store.listTasks(runId, prev)).filter(
    (id) => id.startsWith(`${prefix}-`) && id.slice(prefix.length).split("-").length - 1 === extra,
  );
  return ids.sort(compareTaskIds).at(-1);
}

/**
 * The task id `prev` ran under if it led to this task, or undefined when it cannot have: the
 * same context and the iterations of the loops both are in (one less over a loop's back edge),
 * and for loops `prev` is in but this step is not (it left them), their last iteration.
 */
async function predecessorId(
  store: FlowStore,
  runId: string,
  node: GraphNode,
  id: ParsedTaskId,
  prev: GraphNode,
): Promise<string | undefined> {
  if (prev.type === "foreach" && prev.foreachDepth < node.foreachDepth) {
    // The first step of a foreach's body; on a loop inside the body only in its first iteration.
    return id.iterations.every((i) => i === 0) ? id.foreachTaskIds.at(-1) : undefined;
  }
  const iterations: number[] = [];
  for (const [level, header] of node.loops.entries()) {
    const shared = prev.loops.includes(header);
    const own = id.iterations[level]!;
    if (!shared) {
      // Entering the loop: only at its header, in its first iteration.
      if (header !== node.name || own !== 0) return undefined;
      continue;
    }
    // Both on the loop this step heads: `prev` goes back to it, from the iteration before.
    if (header === node.name) {
      if (own === 0) return undefined;
      iterations.push(own - 1);
    } else {
      iterations.push(own);
    }
  }
  const prefix = formatTaskId(id.context, iterations);
  const extra = prev.loops.length - iterations.length;
  return extra === 0 ? prefix : lastIteration(store, runId, prev.name, prefix, extra);
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
  const id = parseTaskId(taskId, node.foreachDepth, node.loops.length);
  const foreachStack = await foreachFrames(store, graph, runId, node, id);
  if (step === "start") return { inputs: [], foreachStack };
  if (node.spec.join) {
    const split = graph.nodes.get(node.joins!)!;
    // A join and the split it closes are on the same loops: they share the task id.
    if (split.type === "foreach") {
      const end = await store.readSuccessfulEnd(runId, split.name, taskId);
      const count = end?.foreach?.numSplits ?? 0;
      // After a switch in the body each item's input is looked up in the datastore: in batches,
      // so a wide foreach on S3 does not wait for one read after another.
      const inputs: string[] = [];
      for (let first = 0; first < count; first += LOOKUPS_AT_ONCE) {
        const batch = Array.from({ length: Math.min(LOOKUPS_AT_ONCE, count - first) }, (_, i) => {
          const item = itemContext(taskId, first + i, split.foreachDepth);
          return whichRan(
            store,
            graph,
            runId,
            step,
            node.prev.map((p): [string, string] => [p, item]),
          );
        });
        inputs.push(...(await Promise.all(batch)));
      }
      return { inputs, foreachStack };
    }
    const inputs: string[] = [];
    for (const [branch] of split.next.entries()) {
      const prevs = node.prev.filter((p) => node.inputBranches?.[p] === branch);
      inputs.push(
        await whichRan(
          store,
          graph,
          runId,
          step,
          prevs.map((p) => [p, taskId]),
        ),
      );
    }
    return { inputs, foreachStack };
  }
  const candidates: Array<[string, string | undefined]> = [];
  for (const prev of node.prev) {
    candidates.push([prev, await predecessorId(store, runId, node, id, graph.nodes.get(prev)!)]);
  }
  return { inputs: [await whichRan(store, graph, runId, step, candidates)], foreachStack };
}

/**
 * The id of the `target` task that task `taskId` of `step` leads to (not the items of a
 * foreach: each gets `itemContext(taskId, index, depth)`). A join of a foreach has its foreach's id; a
 * loop's header counts one more iteration when reached from inside its loop, and starts at 0
 * when entered.
 */
export function successorTaskId(graph: FlowGraph, step: string, taskId: string, target: string): string {
  const from = graph.nodes.get(step)!;
  const to = graph.nodes.get(target)!;
  const id = parseTaskId(taskId, from.foreachDepth, from.loops.length);
  if (to.spec.join && graph.nodes.get(to.joins!)!.type === "foreach") return id.foreachTaskIds.at(-1)!;
  const iterations = to.loops.map((header) => {
    const level = from.loops.indexOf(header);
    if (header === target) return level >= 0 ? id.iterations[level]! + 1 : 0;
    return id.iterations[level]!;
  });
  return formatTaskId(id.context, iterations);
}
