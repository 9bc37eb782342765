/**
 * Live output of a Batch task that a laptop orchestrates (`run --with batch`): while the task runs,
 * the new complete lines of its log files are uploaded every few seconds as numbered chunks beside
 * the log (`<attempt>.<stream>.live/000001`, …), which the laptop reads in order and prints as
 * they come (aws/run-with-batch/live-log-tail.ts). S3 has no append, and rewriting a growing log
 * every few seconds would upload it again and again: a chunk holds only the bytes since the last.
 *
 * Chunks are a preview: the log the task stores when it ends is the record, and holds the same
 * bytes in the same order, so a reader that missed chunks goes on from that log where it stopped.
 * The chunks are removed once that log is stored.
 */
import fs from "node:fs";
import type { FlowStore, LogStream } from "../datastore/flow-store.js";
import type { TaskSpec } from "./task-spec.js";

type AttemptOf = Pick<TaskSpec, "runId" | "step" | "taskId" | "attempt">;

/** A line longer than this is uploaded in pieces rather than held back until its newline. */
const MAX_HELD_BYTES = 256 * 1024;

/** The key of chunk `seq` (1, 2, …) of an attempt's stream; zero-padded, so keys sort in order. */
export function liveLogChunkKey(
  store: FlowStore,
  attempt: AttemptOf,
  stream: LogStream,
  seq: number,
): string {
  const log = store.logKey(attempt.runId, attempt.step, attempt.taskId, attempt.attempt, stream);
  return `${log.replace(/\.log$/, "")}.live/${String(seq).padStart(6, "0")}`;
}

export interface LiveLogUpload {
  /** Stops after the upload in flight; what was not uploaded yet is in the stored log. */
  stop(): Promise<void>;
  /** Removes the chunks (after the log itself is stored). */
  clear(): Promise<void>;
}

/** Starts uploading the new lines of `files` every `intervalSeconds`. */
export function startLiveLogUpload(
  store: FlowStore,
  attempt: AttemptOf,
  files: Record<LogStream, string>,
  intervalSeconds: number,
): LiveLogUpload {
  const streams = (["stdout", "stderr"] as const).map((stream) => ({ stream, offset: 0, seq: 0 }));
  const written: string[] = [];
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  const uploadNew = async (): Promise<void> => {
    for (const state of streams) {
      const bytes = newLines(files[state.stream], state.offset);
      if (bytes.length === 0) continue;
      const key = liveLogChunkKey(store, attempt, state.stream, state.seq + 1);
      try {
        await store.storage.write(key, [bytes]);
      } catch {
        // Tried again next time with the same bytes under the same number: the reader waits for
        // each number in turn, so a gap would stop it until the task ends.
        continue;
      }
      written.push(key);
      state.seq += 1;
      state.offset += bytes.length;
    }
  };
  const tick = () => {
    inFlight = uploadNew().finally(() => {
      if (!stopped) schedule();
    });
  };
  const schedule = () => {
    timer = setTimeout(tick, intervalSeconds * 1000);
    // The uploads must not keep a finished task's process alive.
    timer.unref();
  };
  schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
    async clear() {
      await Promise.all(written.map((key) => store.storage.remove(key).catch(() => {})));
    },
  };
}

/** The bytes of `file` after `offset`, up to its last newline (or a long line's first piece). */
function newLines(file: string, offset: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return Buffer.alloc(0);
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (size <= offset) return Buffer.alloc(0);
    const bytes = Buffer.alloc(size - offset);
    const read = fs.readSync(fd, bytes, 0, bytes.length, offset);
    const end = bytes.subarray(0, read).lastIndexOf(0x0a) + 1;
    if (end > 0) return bytes.subarray(0, end);
    return read >= MAX_HELD_BYTES ? bytes.subarray(0, read) : Buffer.alloc(0);
  } finally {
    fs.closeSync(fd);
  }
}
