/**
 * The item a foreach task worked on. The task's innermost foreach frame points at the list that
 * was fanned out over; older records without that pointer are served from the foreach step's
 * own artifacts.
 */

import type { ArtifactRef } from "../datastore/content-store.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { ForeachFrame } from "../datastore/records-types.js";

function taskIdOf(stack: readonly ForeachFrame[]): string {
  return stack.length === 0 ? "0" : stack.map((f) => f.index).join(".");
}

async function itemsRef(
  store: FlowStore,
  runId: string,
  stack: readonly ForeachFrame[],
): Promise<ArtifactRef | undefined> {
  const frame = stack.at(-1)!;
  if (frame.items) return frame.items;
  const end = await store.readSuccessfulEnd(runId, frame.step, taskIdOf(stack.slice(0, -1)));
  return end?.foreach ? end.artifacts[end.foreach.var] : undefined;
}

/** The item at the innermost frame's index, or undefined outside a foreach. */
export async function loadForeachInput(
  store: FlowStore,
  runId: string,
  stack: readonly ForeachFrame[],
  what: string,
): Promise<unknown> {
  const frame = stack.at(-1);
  if (!frame) return undefined;
  const ref = await itemsRef(store, runId, stack);
  if (!ref) return undefined;
  await store.content.prefetch([ref]);
  const items = store.content.get(ref, `foreach input of ${what}`);
  const list = Array.isArray(items) ? items : Array.from(items as Iterable<unknown>);
  return list[frame.index];
}
