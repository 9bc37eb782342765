/**
 * A task attempt's log for the task page, read by byte ranges: the page opens on the last
 * 256 KiB of a log of any size, then asks only for what was appended since, so a 100 MB log
 * that keeps growing is never read again whole. Lines come whole while the log grows (a line
 * being written waits for its newline), with the dates of its time index (task/log-times.ts).
 * A task that resume cloned printed nothing: its origin's log is shown, and named. A log found
 * shorter than what the page read of it is shown again from its tail (`restarted`).
 */
import fs from "node:fs";
import { Readable } from "node:stream";
import { type DatastoreOption, openContext } from "../client/client-context.js";
import { Task } from "../client/index.js";
import type { FlowStore, LogStream } from "../datastore/flow-store.js";
import { parsePathspec } from "../datastore/pathspec.js";
import { parseLogTimes } from "../task/log-times.js";
import type { LogChunk } from "./views.js";

/** What a page opens on: the end of the log. */
export const TAIL_BYTES = 256 * 1024;
/** At most this much per answer; the page asks again for the rest. */
export const CHUNK_BYTES = 1024 * 1024;

interface LogSource {
  store: FlowStore;
  key: string;
  finished: boolean;
  from?: string;
}

async function locate(
  datastore: DatastoreOption,
  pathspec: string,
  stream: LogStream,
  attempt: number | undefined,
): Promise<LogSource> {
  const task = await Task.get(pathspec, {
    datastore,
    namespace: null,
    ...(attempt !== undefined ? { attempt } : {}),
  });
  const store = (await openContext({ datastore, namespace: null })).store(task.flow);
  const finished = task.status !== "running" || task.run.status !== "running";
  const key = store.logKey(task.run.id, task.step, task.id, task.attempt, stream);
  if (!task.origin || (await store.storage.exists(key))) return { store, key, finished };
  // A clone's own attempt ran nothing: the origin's last attempt printed what it carries.
  const origin = parsePathspec(task.origin, "task");
  const records = await store.readAttempts(origin.runId!, origin.step!, origin.taskId!);
  if (!records) return { store, key, finished };
  return {
    store,
    key: store.logKey(origin.runId!, origin.step!, origin.taskId!, records.latest, stream),
    finished: true,
    from: task.origin,
  };
}

/** Up to the last whole line, or (no newline in a full chunk) the last whole UTF-8 character. */
function wholeLines(bytes: Buffer, all: boolean): Buffer {
  if (all) return bytes;
  const newline = bytes.lastIndexOf(10);
  if (newline >= 0) return bytes.subarray(0, newline + 1);
  if (bytes.length < CHUNK_BYTES) return bytes.subarray(0, 0);
  let end = bytes.length;
  // Back off over continuation bytes (10xxxxxx) to the start of the last character.
  while (end > 0 && (bytes[end - 1]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, Math.max(0, end - 1));
}

/**
 * The log of `pathspec` (attempt `attempt`, default the latest) from byte `offset`, or its tail
 * when `offset` is undefined. `timesOffset` is where the last answer's time index ended.
 */
export async function logChunk(options: {
  datastore: DatastoreOption;
  pathspec: string;
  stream: LogStream;
  attempt: number | undefined;
  offset: number | undefined;
  timesOffset: number;
}): Promise<LogChunk & { timesNext: number }> {
  const source = await locate(options.datastore, options.pathspec, options.stream, options.attempt);
  const storage = source.store.storage;
  let start = options.offset ?? 0;
  let size = (await storage.readRange(source.key, 0, 0))?.size ?? 0;
  // Shorter than what the page already read (cut, or written anew): the page starts over on its tail.
  const restarted = options.offset !== undefined && options.offset > size;
  const fromTail = options.offset === undefined || restarted;
  if (fromTail) start = Math.max(0, size - TAIL_BYTES);
  const read = start < size ? await storage.readRange(source.key, start, CHUNK_BYTES) : undefined;
  size = read?.size ?? size;
  let bytes = read?.bytes ?? Buffer.alloc(0);
  if (fromTail && start > 0) {
    // The tail starts at the first whole line.
    const skip = bytes.indexOf(10) + 1 || bytes.length;
    bytes = bytes.subarray(skip);
    start += skip;
  }
  const atEnd = start + bytes.length >= size;
  const shown = wholeLines(bytes, source.finished && atEnd);
  const timesKey = source.store.logTimesKey(source.key);
  const timesFrom = fromTail ? 0 : options.timesOffset;
  const timesRead = await storage.readRange(timesKey, timesFrom, CHUNK_BYTES);
  const timesBytes = timesRead ? wholeLines(timesRead.bytes, false) : Buffer.alloc(0);
  const entries = parseLogTimes(timesBytes.toString("utf8"));
  // The entry that dates the first line shown (at or before `start`) and those after it.
  const before = entries.filter(([at]) => at <= start).at(-1);
  const times = [
    ...(before ? [before] : []),
    ...entries.filter(([at]) => at > start && at < start + shown.length),
  ];
  return {
    text: shown.toString("utf8"),
    start,
    next: start + shown.length,
    size,
    finished: source.finished && start + shown.length >= size,
    times,
    timesNext: timesFrom + timesBytes.length,
    ...(source.from ? { from: source.from } : {}),
    ...(restarted ? { restarted: true } : {}),
  };
}

/** The whole log, for download: a file stream locally, else the object's bytes. */
export async function logDownload(
  datastore: DatastoreOption,
  pathspec: string,
  stream: LogStream,
  attempt: number | undefined,
): Promise<{ body: Readable | Buffer; fileName: string }> {
  const source = await locate(datastore, pathspec, stream, attempt);
  const { runId, step, taskId } = parsePathspec(source.from ?? pathspec, "task");
  const n = /\/(\d+)\.\w+\.log$/.exec(source.key)?.[1] ?? "0";
  const fileName = `${step}-${taskId}-${runId}-attempt${n}.${stream}.log`;
  const storage = source.store.storage;
  const local = storage.localPath?.(source.key);
  if (local && fs.existsSync(local)) return { body: fs.createReadStream(local), fileName };
  return { body: (await storage.read(source.key)) ?? Readable.from([]), fileName };
}
