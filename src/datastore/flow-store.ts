import { randomBytes } from "node:crypto";
/**
 * The layout of one flow's runs in a datastore (see docs/datastore.md):
 *
 *   <Flow>/data/<hash[0:2]>/<hash>                 artifact blobs (content-addressed)
 *   <Flow>/latest_run                              the last run started by `run`
 *   <Flow>/latest/<namespace>.<started|succeeded>.json   newest run per namespace (and `_all`)
 *   <Flow>/runs/<run>/run.json                     RunRecord, written once at start
 *   <Flow>/runs/<run>/tags.json                    user tags added after the start
 *   <Flow>/runs/<run>/end.json                     RunEndRecord, written last
 *   <Flow>/runs/<run>/steps/<step>/<task>/<n>.start.json   AttemptStartRecord
 *   <Flow>/runs/<run>/steps/<step>/<task>/<n>.end.json     AttemptEndRecord
 *   <Flow>/runs/<run>/steps/<step>/<task>/<n>.stdout.log   (and .stderr.log)
 *   <Flow>/runs/<run>/steps/<step>/<task>/<n>.card.<id>.json  CardRecord (see card/card-record.ts)
 *   <Flow>/runs/<run>/steps/<step>/<task>/<n>.stdout.times when its lines were printed
 */
import { type CardRecord, cardIdOfKey } from "../card/card-record.js";
import { orderedStampText } from "../util/ordered-stamp.js";
import { ContentStore, CorruptObjectError } from "./content-store.js";
import { checkRunId } from "./pathspec.js";
import { createRecord, readRecord, writeRecord } from "./records.js";
import type {
  AttemptEndRecord,
  AttemptStartRecord,
  RunEndRecord,
  RunRecord,
  TagChange,
} from "./records-types.js";
import type { Storage } from "./storage.js";

export type LogStream = "stdout" | "stderr";

export type LatestKind = "started" | "succeeded";
export interface LatestPointer {
  runId: string;
  startedAt: string;
}
const ALL_NAMESPACES = "_all";

export interface TaskAttempts {
  /** Highest attempt that started. */
  latest: number;
  starts: Map<number, AttemptStartRecord>;
  ends: Map<number, AttemptEndRecord>;
}

export class FlowStore {
  readonly storage: Storage;
  readonly flow: string;
  readonly content: ContentStore;

  constructor(options: { storage: Storage; flow: string }) {
    this.storage = options.storage;
    this.flow = options.flow;
    this.content = new ContentStore(options);
  }

  runKey(runId: string): string {
    return `${this.flow}/runs/${checkRunId(runId)}`;
  }

  taskKey(runId: string, step: string, taskId: string): string {
    return `${this.runKey(runId)}/steps/${step}/${taskId}`;
  }

  logKey(runId: string, step: string, taskId: string, attempt: number, stream: LogStream): string {
    return `${this.taskKey(runId, step, taskId)}/${attempt}.${stream}.log`;
  }

  /** The time index beside a log (`0.stdout.log` → `0.stdout.times`, see task/log-times.ts). */
  logTimesKey(logKey: string): string {
    return `${logKey.replace(/\.log$/, "")}.times`;
  }

  /**
   * Reserves a run id; false if another run already took it — also one whose folder exists
   * without a claim (copied in, or left by an older flowship): a run never writes into a folder
   * that already holds a run.
   */
  async claimRunId(runId: string): Promise<boolean> {
    if (await this.storage.exists(`${this.runKey(runId)}/run.json`)) return false;
    return this.storage.create(`${this.runKey(runId)}/claim`, "");
  }

  async writeRun(record: RunRecord): Promise<void> {
    await writeRecord(this.storage, `${this.runKey(record.runId)}/run.json`, record);
  }

  async readRun(runId: string): Promise<RunRecord | undefined> {
    return readRecord<RunRecord>(this.storage, `${this.runKey(runId)}/run.json`);
  }

  async writeRunEnd(runId: string, record: RunEndRecord): Promise<void> {
    await writeRecord(this.storage, `${this.runKey(runId)}/end.json`, record);
  }

  async readRunEnd(runId: string): Promise<RunEndRecord | undefined> {
    return readRecord<RunEndRecord>(this.storage, `${this.runKey(runId)}/end.json`);
  }

  /** The whole tag list an earlier flowship wrote over and over; read as the base of the changes. */
  async readTags(runId: string): Promise<string[] | undefined> {
    return (await readRecord<{ tags: string[] }>(this.storage, `${this.runKey(runId)}/tags.json`))?.tags;
  }

  /**
   * Records one change of a run's user tags as a record of its own, named by an ordered stamp and
   * a random suffix: changes made at the same moment from several processes never overwrite each
   * other (a read-modify-write of one list lost some of eight concurrent `tag add`s), and changes
   * one process makes within a millisecond apply in the order it made them.
   */
  async appendTagChange(runId: string, change: TagChange): Promise<void> {
    const name = `${orderedStampText()}-${randomBytes(6).toString("hex")}.json`;
    await writeRecord(this.storage, `${this.runKey(runId)}/tag-changes/${name}`, change);
  }

  /** Names directly in the run's folder (`run.json`, `end.json`, `steps`, `tag-changes`, …). */
  async listRunFolder(runId: string): Promise<string[]> {
    return this.storage.list(this.runKey(runId));
  }

  /** The run's tag changes, oldest first. */
  async readTagChanges(runId: string): Promise<TagChange[]> {
    const folder = `${this.runKey(runId)}/tag-changes`;
    const names = (await this.storage.list(folder)).filter((n) => n.endsWith(".json")).sort();
    const changes = await Promise.all(
      names.map((n) => readRecord<TagChange>(this.storage, `${folder}/${n}`)),
    );
    return changes.filter((c): c is TagChange => c !== undefined);
  }

  async writeLatestRun(runId: string): Promise<void> {
    await writeRecord(this.storage, `${this.flow}/latest_run`, { runId });
  }

  async readLatestRun(): Promise<string | undefined> {
    return (await readRecord<{ runId: string }>(this.storage, `${this.flow}/latest_run`))?.runId;
  }

  /**
   * Remembers `runId` as the newest run that started (or succeeded) in its namespace and in
   * `_all`, so readers find the latest run without reading every run's record. Newer wins; a
   * lost race between two runs starting in the same instant only costs readers a fallback scan.
   */
  async updateLatest(kind: LatestKind, namespace: string, runId: string, startedAt: string): Promise<void> {
    for (const scope of [namespace, ALL_NAMESPACES]) {
      const key = this.#latestKey(kind, scope);
      const current = await readRecord<LatestPointer>(this.storage, key).catch(() => undefined);
      if (current && current.startedAt > startedAt && !fromTheFuture(current.startedAt)) continue;
      await writeRecord(this.storage, key, { runId, startedAt } satisfies LatestPointer);
    }
  }

  /**
   * The pointer `updateLatest` keeps; undefined when there is none (or it cannot be read, or its
   * time is later than this host's clock allows, see fromTheFuture).
   */
  async readLatest(kind: LatestKind, namespace: string | null): Promise<LatestPointer | undefined> {
    const pointer = await readRecord<LatestPointer>(
      this.storage,
      this.#latestKey(kind, namespace ?? ALL_NAMESPACES),
    ).catch(() => undefined);
    return pointer && !fromTheFuture(pointer.startedAt) ? pointer : undefined;
  }

  /** Whether `updateLatest` has a pointer for the namespace: the namespace holds a run. */
  async hasLatest(kind: LatestKind, namespace: string | null): Promise<boolean> {
    return this.storage.exists(this.#latestKey(kind, namespace ?? ALL_NAMESPACES));
  }

  #latestKey(kind: LatestKind, namespace: string): string {
    return `${this.flow}/latest/${namespaceKey(namespace)}.${kind}.json`;
  }

  async listRunIds(): Promise<string[]> {
    return this.storage.list(`${this.flow}/runs`);
  }

  async listSteps(runId: string): Promise<string[]> {
    return this.storage.list(`${this.runKey(runId)}/steps`);
  }

  async listTasks(runId: string, step: string): Promise<string[]> {
    return this.storage.list(`${this.runKey(runId)}/steps/${step}`);
  }

  async writeAttemptStart(
    runId: string,
    step: string,
    taskId: string,
    record: AttemptStartRecord,
  ): Promise<void> {
    await writeRecord(
      this.storage,
      `${this.taskKey(runId, step, taskId)}/${record.attempt}.start.json`,
      record,
    );
  }

  /** The end record is written once: a second writer (task vs runtime) loses and learns it. */
  async writeAttemptEnd(
    runId: string,
    step: string,
    taskId: string,
    record: AttemptEndRecord,
  ): Promise<boolean> {
    return createRecord(
      this.storage,
      `${this.taskKey(runId, step, taskId)}/${record.attempt}.end.json`,
      record,
    );
  }

  async readAttemptEnd(
    runId: string,
    step: string,
    taskId: string,
    attempt: number,
  ): Promise<AttemptEndRecord | undefined> {
    return readRecord<AttemptEndRecord>(
      this.storage,
      `${this.taskKey(runId, step, taskId)}/${attempt}.end.json`,
    );
  }

  async readAttempts(runId: string, step: string, taskId: string): Promise<TaskAttempts | undefined> {
    const key = this.taskKey(runId, step, taskId);
    const files = await this.storage.list(key);
    const starts = new Map<number, AttemptStartRecord>();
    const ends = new Map<number, AttemptEndRecord>();
    for (const file of files) {
      const match = /^(\d+)\.(start|end)\.json$/.exec(file);
      if (!match) continue;
      const attempt = Number(match[1]);
      if (match[2] === "start") {
        const record = await readRecord<AttemptStartRecord>(this.storage, `${key}/${file}`);
        if (record) starts.set(attempt, record);
      } else {
        const record = await readRecord<AttemptEndRecord>(this.storage, `${key}/${file}`);
        if (record) ends.set(attempt, record);
      }
    }
    if (starts.size === 0) return undefined;
    return { latest: Math.max(...starts.keys()), starts, ends };
  }

  /**
   * Stores a card of a task attempt, replacing what an earlier refresh stored: a reader sees the
   * last whole card written.
   */
  async writeCard(
    runId: string,
    step: string,
    taskId: string,
    attempt: number,
    card: CardRecord,
  ): Promise<void> {
    await writeRecord(
      this.storage,
      `${this.taskKey(runId, step, taskId)}/${attempt}.card.${card.id}.json`,
      card,
    );
  }

  /** The cards of a task attempt, by id (`default` first); none when it has none. */
  async readCards(runId: string, step: string, taskId: string, attempt: number): Promise<CardRecord[]> {
    const key = this.taskKey(runId, step, taskId);
    const ids = (await this.storage.list(key))
      .map((name) => cardIdOfKey(name, attempt))
      .filter((id): id is string => id !== undefined)
      .sort((a, b) => (a === "default" ? -1 : b === "default" ? 1 : a < b ? -1 : a > b ? 1 : 0));
    const cards = await Promise.all(
      ids.map((id) =>
        readRecord<CardRecord>(this.storage, `${key}/${attempt}.card.${id}.json`).catch((error: unknown) =>
          unreadableCard(id, error),
        ),
      ),
    );
    return cards.filter((card): card is CardRecord => card !== undefined);
  }

  /**
   * Like readAttempts, without listing the task's folder: attempts 0, 1, … are read in turn until
   * one is missing, has not ended, or succeeded (no attempt follows a success). For readers of
   * thousands of tasks, to whom the listings cost more than the records.
   */
  async readAttemptsInTurn(runId: string, step: string, taskId: string): Promise<TaskAttempts | undefined> {
    const key = this.taskKey(runId, step, taskId);
    const starts = new Map<number, AttemptStartRecord>();
    const ends = new Map<number, AttemptEndRecord>();
    for (let attempt = 0; ; attempt++) {
      const start = await readRecord<AttemptStartRecord>(this.storage, `${key}/${attempt}.start.json`);
      if (!start) break;
      starts.set(attempt, start);
      const end = await readRecord<AttemptEndRecord>(this.storage, `${key}/${attempt}.end.json`);
      if (!end) break;
      ends.set(attempt, end);
      if (end.status === "succeeded") break;
    }
    if (starts.size === 0) return undefined;
    return { latest: Math.max(...starts.keys()), starts, ends };
  }

  /** The successful end record of a task (its latest attempt), or undefined. */
  async readSuccessfulEnd(
    runId: string,
    step: string,
    taskId: string,
  ): Promise<AttemptEndRecord | undefined> {
    const attempts = await this.readAttempts(runId, step, taskId);
    const end = attempts?.ends.get(attempts.latest);
    return end?.status === "succeeded" ? end : undefined;
  }
}

/** How far ahead of this host's clock a run's start may be before it counts as a clock error. */
const CLOCK_SKEW_TOLERANCE_MS = 5 * 60_000;

/**
 * A start time later than now (plus a tolerance) was written by a host whose clock runs ahead:
 * trusted, it would keep every newer run from becoming the latest until that time comes.
 */
function fromTheFuture(startedAt: string): boolean {
  return Date.parse(startedAt) > Date.now() + CLOCK_SKEW_TOLERANCE_MS;
}

/**
 * A namespace as one datastore key segment. One that already is a plain name (every namespace
 * flowship wrote so far) keeps it; any other — a space, `jörg`'s `ö`, a leading dot — becomes `x+`
 * followed by its UTF-8 bytes, plain ones as they are and the rest as `+` and two hex digits. A
 * plain name never holds `+`, so distinct namespaces never share a key.
 */
export function namespaceKey(namespace: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.\-:=@]*$/.test(namespace)) return namespace;
  const bytes = [...Buffer.from(namespace, "utf8")];
  return `x+${bytes.map((b) => (/[A-Za-z0-9_.\-:=@]/.test(String.fromCharCode(b)) && b < 128 ? String.fromCharCode(b) : `+${b.toString(16).padStart(2, "0")}`)).join("")}`;
}

/**
 * A card whose record is corrupt, shown as a card saying so: the task's other cards still show
 * (`card get`, the UI), and the reader learns which one was lost and why. Other errors go on.
 */
function unreadableCard(id: string, error: unknown): CardRecord {
  if (!(error instanceof CorruptObjectError)) throw error;
  return {
    id,
    final: true,
    updatedAt: "",
    components: [{ type: "markdown", text: `This card could not be read: ${error.message}` }],
  };
}
