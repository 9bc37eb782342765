/**
 * The runs of each flow as the UI lists them, kept in memory between requests so that a page
 * polled every two seconds does not read the whole datastore each time: a run record never
 * changes once written and an end record once it exists, so only the listing of a flow's runs,
 * the runs still going and tags older than a few seconds are read again. Which runs are the
 * newest is told by their ids where the id is the start time (local runs), so the flows page
 * reads a few records per flow however many runs there are.
 */

import { readUserTags } from "../client/run-tags.js";
import { FlowStore } from "../datastore/flow-store.js";
import type { RunEndRecord, RunRecord, RunStatus } from "../datastore/records-types.js";
import { runStatus } from "../datastore/run-status.js";
import type { Storage } from "../datastore/storage.js";
import { mapLimit } from "../util/map-limit.js";

/** Tags change through `tag add`: read again when what is held is older than this. */
const TAGS_TTL_MS = 5_000;
/** Records read at once (S3 requests in flight; local reads are synchronous anyway). */
const CONCURRENCY = 16;

export interface IndexedRun {
  record: RunRecord;
  end: RunEndRecord | undefined;
  userTags: string[];
  tagsReadAt: number;
}

/** A local run id is `Date.now()` at its start; others (`sfn-<execution>`) say nothing. */
function idTime(id: string): number | undefined {
  // Called for every run id of a flow, so no regular expression: Number() of anything but digits
  // is NaN (a hex-looking id would only be guessed wrong, and its record puts it in its place).
  if (id.length < 12 || id.length > 16) return undefined;
  const value = Number(id);
  return Number.isInteger(value) ? value : undefined;
}

function sortedHas(sorted: readonly string[], id: string): boolean {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] === id) return true;
    if (sorted[mid]! < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

export function runStatusOf(run: IndexedRun): RunStatus {
  return runStatus(run.record, run.end);
}

export function newestFirst(a: IndexedRun, b: IndexedRun): number {
  const byStart = Date.parse(b.record.startedAt) - Date.parse(a.record.startedAt);
  return byStart !== 0 ? byStart : b.record.runId < a.record.runId ? -1 : 1;
}

export class RunIndex {
  readonly #storage: Storage;
  readonly #runs = new Map<string, Map<string, IndexedRun>>();
  readonly #stores = new Map<string, FlowStore>();

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  store(flow: string): FlowStore {
    let store = this.#stores.get(flow);
    if (!store) {
      store = new FlowStore({ storage: this.#storage, flow });
      this.#stores.set(flow, store);
    }
    return store;
  }

  #cache(flow: string): Map<string, IndexedRun> {
    let runs = this.#runs.get(flow);
    if (!runs) {
      runs = new Map();
      this.#runs.set(flow, runs);
    }
    return runs;
  }

  /** Runs whose records could not be read (corrupt), by flow: listed apart, never hiding the rest. */
  readonly unreadable = new Map<string, Set<string>>();

  /** Reads a run not held yet; undefined while its id is claimed but its record not written, or unreadable. */
  async #load(flow: string, id: string): Promise<IndexedRun | undefined> {
    try {
      return await this.#read(flow, id);
    } catch {
      // A corrupt record (docs/reliability.md): that run is left out and counted, the others shown.
      const ids = this.unreadable.get(flow) ?? new Set<string>();
      this.unreadable.set(flow, ids.add(id));
      return undefined;
    }
  }

  async #read(flow: string, id: string): Promise<IndexedRun | undefined> {
    const store = this.store(flow);
    const record = await store.readRun(id);
    if (!record) return undefined;
    const entries = new Set(await store.listRunFolder(id));
    const [end, userTags] = await Promise.all([
      entries.has("end.json") ? store.readRunEnd(id) : undefined,
      readUserTags(store, record, entries),
    ]);
    const run = { record, end, userTags, tagsReadAt: Date.now() };
    this.#cache(flow).set(id, run);
    this.unreadable.get(flow)?.delete(id);
    return run;
  }

  /** Reads again what may have changed: the end of a run without one, tags gone stale (`tags`). */
  async #freshen(flow: string, run: IndexedRun, tags: boolean): Promise<IndexedRun> {
    const store = this.store(flow);
    const id = run.record.runId;
    const stale = tags && Date.now() - run.tagsReadAt > TAGS_TTL_MS;
    if (!run.end || stale) {
      const entries = new Set(await store.listRunFolder(id));
      if (!run.end && entries.has("end.json")) run.end = await store.readRunEnd(id);
      if (stale) {
        run.userTags = await readUserTags(store, run.record, entries);
        run.tagsReadAt = Date.now();
      }
    }
    return run;
  }

  async #get(flow: string, id: string): Promise<IndexedRun | undefined> {
    const held = this.#cache(flow).get(id);
    return held ? this.#freshen(flow, held, false) : this.#load(flow, id);
  }

  /** The flow's run ids, forgetting runs that were removed from the datastore. */
  async #ids(flow: string): Promise<string[]> {
    const ids = await this.store(flow).listRunIds();
    const cache = this.#cache(flow);
    // The listing is sorted: each held run is looked up by bisection, not through a set of them all.
    for (const id of cache.keys()) if (!sortedHas(ids, id)) cache.delete(id);
    return ids;
  }

  /**
   * The `count` newest runs, their ends current (tags: see `freshen`). Reads the records of those runs only (and, once, of runs
   * whose id is not a start time); the rest of a flow of 10,000 runs is not touched.
   */
  async newest(flow: string, count: number): Promise<{ runs: IndexedRun[]; total: number }> {
    const ids = await this.#ids(flow);
    const cache = this.#cache(flow);
    // Runs whose id says nothing about their start are read (once) to know where they sort.
    await mapLimit(
      ids.filter((id) => idTime(id) === undefined && !cache.has(id)),
      CONCURRENCY,
      (id) => this.#load(flow, id),
    );
    const when = (id: string) => {
      const held = cache.get(id);
      return held ? Date.parse(held.record.startedAt) : (idTime(id) ?? 0);
    };
    // A few more than asked: a run's record is written a moment after its id. Only ids at or
    // above the (count+2)-th newest time are sorted, not all 10,000.
    const times = Float64Array.from(ids, when);
    const cut =
      Float64Array.from(times)
        .sort()
        .at(-Math.min(ids.length, count + 2)) ?? 0;
    const candidates = ids
      .map((id, i) => ({ id, at: times[i]! }))
      .filter(({ at }) => at >= cut)
      .sort((a, b) => b.at - a.at || (b.id < a.id ? -1 : 1))
      .slice(0, count + 2);
    const runs = await mapLimit(candidates, CONCURRENCY, ({ id }) => this.#get(flow, id));
    const newest = runs.filter((r): r is IndexedRun => r !== undefined).sort(newestFirst);
    // `total` counts ids: a run whose record is being written counts already.
    return { runs: newest.slice(0, count), total: ids.length };
  }

  /**
   * Every run of the flow, newest first: read once, then only what changed (see #freshen) —
   * ended runs' tags only when `withTags` (a filter or search by tag needs them current).
   */
  async all(flow: string, options: { withTags: boolean }): Promise<IndexedRun[]> {
    const ids = await this.#ids(flow);
    const cache = this.#cache(flow);
    const runs = await mapLimit(ids, CONCURRENCY, (id) => {
      const held = cache.get(id);
      if (!held) return this.#load(flow, id);
      return !held.end || options.withTags
        ? this.#freshen(flow, held, options.withTags)
        : Promise.resolve(held);
    });
    return runs.filter((r): r is IndexedRun => r !== undefined).sort(newestFirst);
  }

  /** Reads the tags of these runs again when stale (the runs a page shows). */
  async freshen(flow: string, runs: readonly IndexedRun[]): Promise<void> {
    await mapLimit(runs, CONCURRENCY, (run) => this.#freshen(flow, run, true));
  }
}
