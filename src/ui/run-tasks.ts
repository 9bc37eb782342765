/**
 * Every task of a run as the run page shows it, kept between requests: a task whose latest
 * attempt succeeded (or any task, once the run is over) never changes again, so a run of
 * 10,000 tasks polled every second reads only its step listings and the tasks still going.
 * The foreach item of each task is shown on one line, read from the list fanned out over.
 */
import type { ArtifactRef } from "../datastore/content-store.js";
import type { FlowStore, TaskAttempts } from "../datastore/flow-store.js";
import type { ForeachFrame, RunStatus } from "../datastore/records-types.js";
import type { Storage } from "../datastore/storage.js";
import { sortTaskIds } from "../task/task-id.js";
import { mapLimit } from "../util/map-limit.js";
import { oneLine } from "./artifact-preview.js";
import type { AttemptView, TaskState, TaskSummary } from "./views.js";

/** Runs whose tasks are kept; the least recently shown goes first. */
const RUNS_KEPT = 8;
const CONCURRENCY = 16;
/**
 * Local reads are synchronous: after this many tasks, the read pauses for the event loop so that
 * the server answers other requests meanwhile (the page's own front-end, read ahead of it, see
 * run-view-ahead.ts) instead of holding them until 20,000 records are read and summarized.
 */
const TASKS_BETWEEN_PAUSES = 200;
/** A foreach's list is read for its items' labels up to this size. */
const ITEM_LIST_BYTES = 8 * 1024 * 1024;

interface HeldTask {
  records: TaskAttempts;
  /** Nothing more can happen to it (see the module comment). */
  final: boolean;
}

interface HeldRun {
  tasks: Map<string, HeldTask>;
  /** Item labels per foreach list, by its hash. */
  items: Map<string, string[] | undefined>;
}

const held = new WeakMap<Storage, Map<string, HeldRun>>();

function runCache(store: FlowStore, runId: string): HeldRun {
  let runs = held.get(store.storage);
  if (!runs) {
    runs = new Map();
    held.set(store.storage, runs);
  }
  const key = `${store.flow}/${runId}`;
  const run = runs.get(key) ?? { tasks: new Map(), items: new Map() };
  // Most recently used last: a Map keeps insertion order.
  runs.delete(key);
  runs.set(key, run);
  while (runs.size > RUNS_KEPT) runs.delete(runs.keys().next().value!);
  return run;
}

function attemptViews(records: TaskAttempts, runActive: boolean): AttemptView[] {
  return [...records.starts.keys()]
    .sort((a, b) => a - b)
    .map((n) => {
      const start = records.starts.get(n)!;
      const end = records.ends.get(n);
      return {
        attempt: n,
        status: end ? end.status : runActive ? "running" : "killed",
        ...(end?.caught ? { caught: true } : {}),
        startedAt: start.startedAt,
        ...(end ? { endedAt: end.endedAt } : {}),
        ...(end?.failure ? { failure: { type: end.failure.type, message: end.failure.message } } : {}),
      };
    });
}

function stateOf(records: TaskAttempts, runActive: boolean): TaskState {
  const end = records.ends.get(records.latest);
  if (!end) return runActive ? "running" : "killed";
  if (end.status === "succeeded") return end.caught ? "caught" : "succeeded";
  return end.failure?.type === "Cancelled" ? "cancelled" : "failed";
}

/** A task's summary; `runActive` false turns attempts that never ended into `killed`. */
export function summarizeTask(
  id: string,
  records: TaskAttempts,
  runActive: boolean,
  item?: string,
): TaskSummary {
  const start = records.starts.get(records.latest)!;
  const end = records.ends.get(records.latest);
  const index = start.foreachStack.at(-1)?.index;
  return {
    id,
    status: end ? end.status : "running",
    state: stateOf(records, runActive),
    attempts: attemptViews(records, runActive),
    ...(index !== undefined ? { index } : {}),
    ...(item !== undefined ? { item } : {}),
    ...(end?.foreach ? { splits: end.foreach.numSplits } : {}),
    ...(end?.switch ? { choice: end.switch } : {}),
  };
}

/** Labels of a foreach list's items, or undefined when it is too large (or unreadable). */
async function itemLabels(store: FlowStore, ref: ArtifactRef): Promise<string[] | undefined> {
  if (ref.size > ITEM_LIST_BYTES) return undefined;
  try {
    await store.content.prefetch([ref]);
    const list = store.content.get(ref, "foreach items");
    return Array.from(list as Iterable<unknown>, (item) => oneLine(item, 48));
  } catch {
    // A label is a nicety: an unreadable list leaves the rows with their index alone.
    return undefined;
  }
}

async function itemOf(
  store: FlowStore,
  run: HeldRun,
  stack: readonly ForeachFrame[],
): Promise<string | undefined> {
  const frame = stack.at(-1);
  if (!frame?.items) return undefined;
  if (!run.items.has(frame.items.hash)) run.items.set(frame.items.hash, await itemLabels(store, frame.items));
  return run.items.get(frame.items.hash)?.[frame.index];
}

/**
 * A pause for the event loop's next turn after every `tasks` tasks, shared by all the workers of
 * one mapLimit: each of them waits for it (one worker pausing alone would let the others go on).
 */
function pauses(tasks: number): () => Promise<void> | undefined {
  let count = 0;
  let pending: Promise<void> | undefined;
  return () => {
    if (++count % tasks === 0) {
      pending = new Promise<void>((resume) => setImmediate(resume)).then(() => {
        pending = undefined;
      });
    }
    return pending;
  };
}

/** The run's tasks by step, each step's in task-id order. */
export async function runTasks(
  store: FlowStore,
  runId: string,
  status: RunStatus,
): Promise<Record<string, TaskSummary[]>> {
  const run = runCache(store, runId);
  const active = status === "running";
  const steps = await store.listSteps(runId);
  const byStep: Record<string, TaskSummary[]> = {};
  const pause = pauses(TASKS_BETWEEN_PAUSES);
  for (const step of steps) {
    const ids = sortTaskIds(await store.listTasks(runId, step));
    const tasks = await mapLimit(ids, CONCURRENCY, async (id) => {
      await pause();
      const key = `${step}/${id}`;
      let task = run.tasks.get(key);
      if (!task?.final) {
        const records = await store.readAttemptsInTurn(runId, step, id);
        // A folder without a start record (killed before it recorded one) is no task.
        if (!records) return undefined;
        const end = records.ends.get(records.latest);
        task = { records, final: !active || end?.status === "succeeded" };
        run.tasks.set(key, task);
      }
      const start = task.records.starts.get(task.records.latest)!;
      return summarizeTask(id, task.records, active, await itemOf(store, run, start.foreachStack));
    });
    const present = tasks.filter((t): t is TaskSummary => t !== undefined);
    if (present.length > 0) byStep[step] = present;
  }
  return byStep;
}
