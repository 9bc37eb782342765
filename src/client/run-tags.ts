/**
 * User tags of a run. They start as the `--tag`s of `run`; the first change writes the run's
 * tags record, which from then on holds the whole list of user tags (so tags given at the start
 * can be removed too). System tags live in the run record and never change.
 */
import type { FlowStore } from "../datastore/flow-store.js";
import type { RunRecord } from "../datastore/records-types.js";
import { InvalidTagError, SystemTagError } from "./errors.js";

const MAX_TAG_LENGTH = 500;

/** Throws {@link InvalidTagError} for a tag that is empty, too long or spans lines. */
export function checkTag(tag: string): string {
  if (tag.trim() === "" || tag.length > MAX_TAG_LENGTH || /[\r\n]/.test(tag)) throw new InvalidTagError(tag);
  return tag;
}

/**
 * The run's user tags: the tags given at start (or the list an earlier flowship kept), with
 * every change since applied in order.
 */
export async function readUserTags(
  store: FlowStore,
  run: RunRecord,
  listed?: ReadonlySet<string>,
): Promise<string[]> {
  // One listing of the run's folder says whether there is anything to read at all.
  const entries = listed ?? new Set(await store.listRunFolder(run.runId));
  const [base, changes] = await Promise.all([
    entries.has("tags.json") ? store.readTags(run.runId) : undefined,
    entries.has("tag-changes") ? store.readTagChanges(run.runId) : [],
  ]);
  const tags = new Set(base ?? run.tags);
  for (const change of changes) {
    for (const tag of change.remove) tags.delete(tag);
    for (const tag of change.add) if (!run.systemTags.includes(tag)) tags.add(tag);
  }
  return [...tags];
}

/** Adds and removes user tags; returns the new list. Adding a system tag changes nothing. */
export async function changeUserTags(
  store: FlowStore,
  run: RunRecord,
  change: { add?: readonly string[]; remove?: readonly string[] },
): Promise<string[]> {
  const add = (change.add ?? []).map(checkTag);
  const remove = (change.remove ?? []).map(checkTag);
  const system = remove.filter((tag) => run.systemTags.includes(tag));
  if (system.length > 0) {
    throw new SystemTagError({ pathspec: `${run.flow}/${run.runId}`, tags: system });
  }
  await store.appendTagChange(run.runId, { add, remove, at: new Date().toISOString() });
  return readUserTags(store, run);
}
