/**
 * A local run in progress, as `Runner.runAsync()` hands it back once the run is recorded: its id,
 * its status, its output line by line, a way to stop it, and the finished run through the Client
 * API.
 */
import type { AnyArtifacts } from "../client/data-artifact.js";
import { Run } from "../client/run.js";
import type { DatastoreLocation } from "../datastore/open-storage.js";
import type { RunResult } from "../runtime/local-run.js";
import { RunFailedError } from "./errors.js";

/** One line the run printed: a task's output (prefixed `[runId/step/task]`) or the runtime's progress. */
export interface LogLine {
  stream: "stdout" | "stderr";
  text: string;
}

/** Where a local run stands. `cancelled`: stopped through its AbortSignal or `cancel()`. */
export type ExecutingRunStatus = "running" | "succeeded" | "failed" | "cancelled";

/**
 * Every line a run printed, kept for its readers: each `logs()` iterator starts at the first line,
 * however late it starts, and ends when the run does.
 */
export class LogBuffer {
  readonly #lines: LogLine[] = [];
  readonly #keep: boolean;
  #ended = false;
  #wake: (() => void) | undefined;
  #changed: Promise<void>;

  /** @param keep keep the lines (false for a blocking `run()`, which nobody can read the lines of) */
  constructor(keep: boolean) {
    this.#keep = keep;
    this.#changed = this.#nextChange();
  }

  #nextChange(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  #notify(): void {
    const wake = this.#wake;
    this.#changed = this.#nextChange();
    wake?.();
  }

  push(line: LogLine): void {
    if (!this.#keep) return;
    this.#lines.push(line);
    this.#notify();
  }

  end(): void {
    this.#ended = true;
    this.#notify();
  }

  async *lines(): AsyncGenerator<LogLine, void, undefined> {
    let next = 0;
    while (true) {
      if (next < this.#lines.length) {
        yield this.#lines[next++]!;
      } else if (this.#ended) {
        return;
      } else {
        await this.#changed;
      }
    }
  }
}

/** A run started by `Runner.runAsync()` or `Runner.resumeAsync()`. */
export class ExecutingRun<A extends object = AnyArtifacts> {
  /** The flow's name. */
  readonly flow: string;
  readonly runId: string;
  readonly #datastore: DatastoreLocation;
  readonly #logs: LogBuffer;
  readonly #cancel: (reason: string) => void;
  readonly #finished: Promise<Run<A>>;
  #status: ExecutingRunStatus = "running";

  /** @internal Use `Runner.runAsync()`. */
  constructor(options: {
    flow: string;
    runId: string;
    datastore: DatastoreLocation;
    logs: LogBuffer;
    result: Promise<RunResult>;
    cancel: (reason: string) => void;
    /** Tells whether the run was stopped by its caller (not by a failure). */
    cancelled: () => boolean;
  }) {
    this.flow = options.flow;
    this.runId = options.runId;
    this.#datastore = options.datastore;
    this.#logs = options.logs;
    this.#cancel = options.cancel;
    this.#finished = options.result.then(
      (result) => this.#settle(result, options.cancelled()),
      async (error: unknown) => {
        this.#status = "failed";
        throw error;
      },
    );
    // A caller who only reads `status` or `logs()` must not see an unhandled rejection.
    this.#finished.catch(() => {});
  }

  async #settle(result: RunResult, cancelled: boolean): Promise<Run<A>> {
    this.#status = result.status === "succeeded" ? "succeeded" : cancelled ? "cancelled" : "failed";
    const open = () => Run.get<A>(this.pathspec, { datastore: this.#datastore, namespace: null });
    if (result.status === "succeeded") return open();
    // The failure is the news; a run that cannot be read back only loses its details.
    const run = await open().catch(() => undefined);
    throw new RunFailedError({
      pathspec: this.pathspec,
      reason: result.failure ?? "it did not reach its end step",
      cancelled,
      ...(run ? { run } : {}),
    });
  }

  /** `Flow/runId`, as the Client API and the CLI name the run. */
  get pathspec(): string {
    return `${this.flow}/${this.runId}`;
  }

  /** Where the run stands now; `running` until its end is recorded. */
  get status(): ExecutingRunStatus {
    return this.#status;
  }

  /**
   * The run's output, line by line, from its first line, until the run ends.
   *
   * @example
   * for await (const line of executing.logs()) if (line.stream === "stdout") console.log(line.text);
   */
  logs(): AsyncGenerator<LogLine, void, undefined> {
    return this.#logs.lines();
  }

  /**
   * Waits for the end: the finished run through the Client API, or a RunFailedError
   * (FS_RUN_FAILED, FS_RUN_CANCELLED) that carries that run as `error.run`.
   */
  wait(): Promise<Run<A>> {
    return this.#finished;
  }

  /** Stops the run, as aborting its signal does: running tasks are killed, and it ends `cancelled`. */
  cancel(reason = "cancelled by its caller"): void {
    if (this.#status === "running") this.#cancel(reason);
  }
}
