/**
 * Task ids, deterministic so a task started by Step Functions needs nothing but its id: "0" for
 * the one task of a step outside any foreach; inside a foreach, the item's index after the id of
 * the foreach task ("2", then "2.5" one foreach deeper). A step on a loop adds one iteration
 * number per loop it is in, outermost first: "0-3" is the fourth iteration of a loop at the top,
 * "2-0" the first in item 2, and a foreach inside a loop fans out to "0-3.0", "0-3.1", …
 * (The leading "0" is left out when an index follows it and no iteration does.)
 */
import { FlowshipError } from "../errors.js";

/** The id of a task in `context` (a foreach item's id, or "0" at the top) at these iterations. */
export function formatTaskId(context: string, iterations: readonly number[] = []): string {
  return context + iterations.map((i) => `-${i}`).join("");
}

/**
 * The context of item `index` of the foreach whose task id is `foreachTaskId` and which sits in
 * `foreachDepth` foreaches itself: only the top task's "0" is left out ("3", not "0.3"; but item
 * 3 of a foreach task "0" one level down is "0.3").
 */
export function itemContext(foreachTaskId: string, index: number, foreachDepth: number): string {
  return foreachDepth === 0 && foreachTaskId === "0" ? String(index) : `${foreachTaskId}.${index}`;
}

/** The id of a task whose foreach indices are `path`, on no loop. */
export function taskIdFor(path: readonly number[]): string {
  return path.reduce<string>((id, index, depth) => itemContext(id, index, depth), "0");
}

export interface ParsedTaskId {
  /** The ids of the foreach tasks that fanned out to this task's context, outermost first. */
  foreachTaskIds: string[];
  /** The item index at each foreach level. */
  indices: number[];
  /** The id without this step's own loop iterations. */
  context: string;
  /** One per loop the step is in (GraphNode.loops), outermost first. */
  iterations: number[];
}

function badId(taskId: string, why: string): FlowshipError {
  return new FlowshipError("FS_TASK_BAD_ID", `Task id '${taskId}' ${why}.`);
}

/** Reads a task id of a step `depth` foreaches deep, on `loops` loops. */
export function parseTaskId(taskId: string, depth: number, loops: number): ParsedTaskId {
  // Checked first: an id is a datastore key part, so nothing else may pass.
  if (!/^\d+(-\d+)*(\.\d+(-\d+)*)*$/.test(taskId)) throw badId(taskId, "is not made of whole numbers");
  const written = taskId.split(".");
  const segments = written.length === depth ? ["0", ...written] : written;
  if (segments.length !== depth + 1) {
    throw badId(taskId, `does not fit a step in ${depth} foreach(es)`);
  }
  const numbers = segments.map((segment) => segment.split("-").map(Number));
  if (numbers[0]![0] !== 0) throw badId(taskId, "does not begin at the top task 0");
  const own = numbers.at(-1)!.slice(1);
  if (own.length !== loops)
    throw badId(taskId, `has ${own.length} loop iteration(s) for a step on ${loops} loop(s)`);
  const render = (parts: string[]) =>
    (parts.length > 1 && parts[0] === "0" ? parts.slice(1) : parts).join(".");
  const foreachTaskIds = segments.slice(0, depth).map((_, d) => render(segments.slice(0, d + 1)));
  const context = render([...segments.slice(0, -1), String(numbers.at(-1)![0])]);
  return { foreachTaskIds, indices: numbers.slice(1).map((n) => n[0]!), context, iterations: own };
}

/** Orders task ids as their numbers go: "0-2" before "0-10", "1.9" before "1.10". */
export function compareTaskIds(a: string, b: string): number {
  return compareNumbered(numbersOf(a), a, numbersOf(b), b);
}

/** `ids` in compareTaskIds' order, each split once: the UI sorts a step of 10,000 on every read. */
export function sortTaskIds(ids: readonly string[]): string[] {
  return ids
    .map((id) => ({ id, numbers: numbersOf(id) }))
    .sort((x, y) => compareNumbered(x.numbers, x.id, y.numbers, y.id))
    .map(({ id }) => id);
}

const numbersOf = (id: string) => id.split(/[.-]/).map(Number);

function compareNumbered(x: number[], a: string, y: number[], b: string): number {
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? -1) - (y[i] ?? -1);
    if (d !== 0) return Number.isNaN(d) ? a.localeCompare(b) : d;
  }
  return 0;
}
