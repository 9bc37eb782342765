/**
 * The laptop's side of a Batch task's live output (the task's side is task/live-log-upload.ts):
 * the numbered chunks of each stream are read in order while the job runs, and each complete
 * line is printed with the task's prefix. When the job ends, the log the task stored is the
 * record: what it holds after the bytes already printed is printed then, so a chunk read late or
 * never is neither lost nor printed twice. A job that died before storing its log leaves only
 * its chunks: they are read to the last. What arrives goes to the attempt's local log files too,
 * which the runtime stores after the attempt (the same bytes as the task's stored log).
 */
import fs from "node:fs";
import { StringDecoder } from "node:string_decoder";
import type { FlowStore, LogStream } from "../../datastore/flow-store.js";
import { liveLogChunkKey } from "../../task/live-log-upload.js";
import type { TaskAttemptOptions } from "../../task/task-attempt.js";

interface StreamState {
  stream: LogStream;
  /** Chunks read so far (the next is number `seq + 1`). */
  seq: number;
  /** Bytes of the log printed or held so far. */
  consumed: number;
  decoder: StringDecoder;
  /** The text after the last newline, printed when its line is complete (or the log ends). */
  held: string;
}

export class LiveLogTail {
  readonly #store: FlowStore;
  readonly #options: TaskAttemptOptions;
  readonly #streams: StreamState[];
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #reading: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(store: FlowStore, options: TaskAttemptOptions, intervalSeconds: number) {
    this.#store = store;
    this.#options = options;
    this.#intervalMs = intervalSeconds * 1000;
    this.#streams = (["stdout", "stderr"] as const).map((stream) => ({
      stream,
      seq: 0,
      consumed: 0,
      decoder: new StringDecoder("utf8"),
      held: "",
    }));
  }

  /** Starts reading chunks (once the job has a container); again is a no-op. */
  start(): void {
    if (this.#timer || this.#stopped) return;
    const tick = () => {
      this.#reading = this.#readChunks().finally(() => {
        if (!this.#stopped) this.#timer = setTimeout(tick, this.#intervalMs);
      });
    };
    this.#timer = setTimeout(tick, 0);
  }

  /** Stops reading, printing nothing more (the run stopped). */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#reading;
  }

  /**
   * The job ended: prints the rest of each stream from the stored log (or the chunks left), and
   * says whether the task left any output (stored logs, or chunks).
   */
  async finish(): Promise<boolean> {
    await this.stop();
    const { spec } = this.#options;
    let any = false;
    for (const state of this.#streams) {
      const key = this.#store.logKey(spec.runId, spec.step, spec.taskId, spec.attempt, state.stream);
      const stored = await this.#store.storage.read(key).catch(() => undefined);
      if (stored) {
        // The chunks are the stored log's first bytes: the rest follows where they stopped.
        this.#take(state, stored.subarray(Math.min(state.consumed, stored.length)));
        try {
          fs.writeFileSync(this.#options.logFiles[state.stream], stored);
        } catch {
          // As in #take: the printed lines stand.
        }
      } else {
        await this.#readStream(state);
      }
      const rest = state.held + state.decoder.end();
      state.held = "";
      if (rest !== "") this.#print(state.stream, rest);
      any ||= stored !== undefined || state.consumed > 0;
    }
    return any;
  }

  async #readChunks(): Promise<void> {
    for (const state of this.#streams) await this.#readStream(state).catch(() => {});
  }

  /** Every chunk of `state`'s stream there is now, in order. */
  async #readStream(state: StreamState): Promise<void> {
    for (;;) {
      const key = liveLogChunkKey(this.#store, this.#options.spec, state.stream, state.seq + 1);
      const chunk = await this.#store.storage.read(key);
      // Not there yet, or removed because the stored log now holds it all.
      if (chunk === undefined) return;
      state.seq += 1;
      this.#take(state, chunk);
    }
  }

  #take(state: StreamState, chunk: Buffer): void {
    if (chunk.length === 0) return;
    const first = state.consumed === 0;
    state.consumed += chunk.length;
    const text = state.held + state.decoder.write(chunk);
    const lines = text.split("\n");
    state.held = lines.pop() ?? "";
    for (const line of lines) this.#print(state.stream, line);
    try {
      fs[first ? "writeFileSync" : "appendFileSync"](this.#options.logFiles[state.stream], chunk);
    } catch {
      // The local copy only matters when the task stored no log; the printed lines stand.
    }
  }

  #print(stream: LogStream, line: string): void {
    this.#options.print(`${this.#options.prefix} ${line}`, stream);
  }
}
