/**
 * One running task attempt, whatever isolates it: an OS process (TaskProcess, the default) or a
 * worker thread with its own V8 isolate (TaskThread). Both stream the attempt's output the same
 * way and end with a TaskExit; an attempt that ended without recording how is recorded here.
 */
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { datastoreEnv, RUN_MARK_VARIABLE, secretValues } from "../config.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { AttemptEndRecord } from "../datastore/records-types.js";
import { explainIoError } from "../util/io-error.js";
import { cutBesideSecrets, redact } from "../util/redact.js";
import { timerDelay } from "../util/timer-delay.js";
import { LogTimes } from "./log-times.js";
import { isTimeoutNotice, KILL_GRACE_MS, STORE_AFTER_TIMEOUT_MS } from "./step-timeout.js";
import type { TaskSpec } from "./task-spec.js";

/**
 * How the local runtime keeps tasks apart: a worker thread in a reusable host process that runs
 * one attempt at a time (host, the default), an OS process per attempt, or a worker thread per
 * attempt inside the runtime itself. See docs/runtime.md ("Isolation").
 */
export type Isolation = "host" | "process" | "thread";
export const ISOLATIONS: readonly Isolation[] = ["host", "process", "thread"];

export interface TaskExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the runtime killed it because the run is stopping. */
  cancelled: boolean;
  /** V8 reported that the JavaScript heap was full before the attempt was stopped. */
  outOfMemory: boolean;
  /** What ran the attempt, named in the failure message. */
  isolation: Isolation;
  /** With isolation "host": the host process itself ended (killed, crashed), not just the thread. */
  hostDied?: boolean;
  /** The attempt was stopped before it started (it waited for a task host): nothing ran, nothing is recorded. */
  neverStarted?: boolean;
}

export interface TaskAttemptOptions {
  bundle: string;
  spec: TaskSpec;
  env: Record<string, string>;
  /** Where stdout and stderr of this attempt are stored. */
  logFiles: { stdout: string; stderr: string };
  prefix: string;
  print: (line: string, stream: "stdout" | "stderr") => void;
  timeoutSeconds?: number;
  /** Values masked as `***` in the output and the log files. @default secretValues() */
  secrets?: readonly string[];
  /** Carried by every process of the attempt, so none outlives it (runtime/run-reaper.ts). */
  mark?: string;
}

export interface RunningAttempt {
  readonly exited: Promise<TaskExit>;
  /** Stops the attempt at once; `cancelled` records that the run, not the task, ended it. */
  kill(options?: { cancelled?: boolean }): void;
}

/**
 * The environment of an attempt: the runtime's, the step's `environment` decorator, where its
 * run's datastore is (so the Client API in a step reads it), the task spec, and the attempt's mark.
 */
export function attemptEnvironment(options: TaskAttemptOptions): Record<string, string | undefined> {
  return {
    ...process.env,
    ...options.env,
    ...datastoreEnv(options.spec.datastore),
    FLOWSHIP_TASK: JSON.stringify(options.spec),
    ...(options.mark ? { [RUN_MARK_VARIABLE]: options.mark } : {}),
  };
}

/** What a process and a thread keep alike: the options, why it was stopped, how it ended. */
export abstract class TaskAttempt implements RunningAttempt {
  abstract readonly exited: Promise<TaskExit>;
  protected timedOut = false;
  protected cancelled = false;
  protected outOfMemory = false;
  protected hostDied = false;
  protected neverStarted = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    readonly options: TaskAttemptOptions,
    readonly isolation: Isolation,
  ) {
    fs.mkdirSync(path.dirname(options.logFiles.stdout), { recursive: true });
  }

  kill(options: { cancelled?: boolean } = {}): void {
    if (options.cancelled) this.cancelled = true;
    this.stop();
  }

  /** Ends the attempt at once, wherever it is. */
  protected abstract stop(): void;

  /**
   * Arms the attempt's timeout; returns what clears it. The task stops its step itself when the
   * time is up (step-timeout.ts); this kills the attempt only when it did not in time: its event
   * loop is blocked, or storing after the timeout takes too long.
   */
  protected armTimeout(): () => void {
    if (this.options.timeoutSeconds === undefined) return () => {};
    this.#killAfter(this.options.timeoutSeconds * 1000 + KILL_GRACE_MS);
    return () => {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    };
  }

  #killAfter(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      // Fired: a notice that arrives now changes nothing.
      this.#timer = undefined;
      this.timedOut = true;
      this.stop();
    }, timerDelay(ms));
  }

  /** A line of the attempt's stderr: when the task says it timed out, it gets time to store. */
  protected stderrLine(text: string): void {
    if (this.#timer !== undefined && isTimeoutNotice(text)) this.#killAfter(STORE_AFTER_TIMEOUT_MS);
  }

  protected exit(code: number | null, signal: NodeJS.Signals | null): TaskExit {
    return {
      code,
      signal,
      timedOut: this.timedOut,
      cancelled: this.cancelled,
      outOfMemory: this.outOfMemory,
      isolation: this.isolation,
      ...(this.hostDied ? { hostDied: true } : {}),
      ...(this.neverStarted ? { neverStarted: true } : {}),
    };
  }
}

/**
 * Longest line kept whole: a step printing one enormous line (say 500 MB without a newline)
 * would otherwise be held in memory, and past 512 MB overflow a string. Longer lines are cut
 * into pieces of this size, each printed and logged as a line.
 */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * Streams one output stream of an attempt, line by line, to its log file and the console
 * (prefixed with the task's pathspec), masking secrets first: what a step prints is stored.
 * A log file that cannot be written (a full disk) is said once; the output still reaches the
 * console. Resolves once the stream has ended and the log file is closed.
 */
export function pipeAttemptOutput(
  input: Readable,
  stream: "stdout" | "stderr",
  options: TaskAttemptOptions,
  onLine?: (text: string) => void,
): Promise<void> {
  const secrets = options.secrets ?? secretValues();
  const times = new LogTimes(options.logFiles[stream]);
  const file = fs.createWriteStream(options.logFiles[stream], { flags: "a" });
  let logFailed = false;
  file.on("error", (error) => {
    if (logFailed) return;
    logFailed = true;
    const why = explainIoError(error, "write the log", options.logFiles[stream]);
    options.print(`${options.prefix} ${(why as Error).message} The output goes on here, unlogged.`, "stderr");
  });
  const emit = (text: string) => {
    onLine?.(text);
    const line = redact(text, secrets);
    if (!logFailed) {
      times.line(Buffer.byteLength(line) + 1);
      file.write(`${line}\n`);
    }
    options.print(`${options.prefix} ${line}`, stream);
  };
  // A piece is cut before a secret that would straddle its end, so both halves are not shown.
  const longestSecret = Math.max(0, ...secrets.map((s) => s.length));
  const emitPieces = (line: string) => {
    let rest = line;
    while (rest.length > MAX_LINE_CHARS) {
      const cut = cutBesideSecrets(rest, MAX_LINE_CHARS, secrets);
      emit(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    emit(rest);
  };
  const decoder = new StringDecoder("utf8");
  let pending = "";
  const take = (text: string) => {
    pending += text;
    let start = 0;
    for (let newline = pending.indexOf("\n"); newline >= 0; newline = pending.indexOf("\n", start)) {
      const line = pending.slice(start, newline);
      // A whole long line can arrive in one chunk (from a thread, a 20 MB write is one message).
      emitPieces(line.endsWith("\r") ? line.slice(0, -1) : line);
      start = newline + 1;
    }
    pending = pending.slice(start);
    // Cut only once a secret starting before the cut would have arrived whole.
    while (pending.length > MAX_LINE_CHARS + longestSecret) {
      const cut = cutBesideSecrets(pending, MAX_LINE_CHARS, secrets);
      emit(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
  };
  input.on("data", (chunk: Buffer | string) =>
    take(typeof chunk === "string" ? chunk : decoder.write(chunk)),
  );
  return new Promise((resolve) => {
    let done = false;
    // A stream destroyed without ending (a leftover process held it open) ends the lines too.
    const finish = () => {
      if (done) return;
      done = true;
      take(decoder.end());
      if (pending !== "") emitPieces(pending);
      pending = "";
      file.end(resolve);
    };
    input.on("end", finish);
    input.on("close", finish);
    input.on("error", finish);
  });
}

/** Adds a line flowship itself says about the attempt to its stderr (or stdout) log and the console. */
export function appendAttemptLine(
  options: TaskAttemptOptions,
  stream: "stdout" | "stderr",
  text: string,
): void {
  const secrets = options.secrets ?? secretValues();
  const times = new LogTimes(options.logFiles[stream]);
  for (const line of redact(text, secrets).split("\n")) {
    times.line(Buffer.byteLength(line) + 1);
    fs.appendFileSync(options.logFiles[stream], `${line}\n`);
    options.print(`${options.prefix} ${line}`, stream);
  }
}

/**
 * The attempt ended without recording how it ended (killed, timed out, crashed): record it on
 * its behalf, with the reason. If the task did record an end after all (it races with us), that
 * record wins and is returned.
 */
export async function recordDeath(
  store: FlowStore,
  spec: TaskSpec,
  exit: TaskExit,
): Promise<AttemptEndRecord> {
  const timeout = spec.decorators.find((d) => d.kind === "timeout");
  // In a task host, the thread ran the step; only when the host process ended is it "the task host".
  const task =
    exit.isolation === "host"
      ? exit.hostDied
        ? "the task host"
        : "the task thread"
      : `the task ${exit.isolation}`;
  const message = exit.timedOut
    ? `timed out after ${timeout?.kind === "timeout" ? timeout.options.seconds : "?"} s and was killed`
    : exit.cancelled
      ? "cancelled: the run stopped before this task finished"
      : exit.outOfMemory
        ? `${task} ran out of memory (JavaScript heap limit) and was stopped by ${exit.signal ?? `exit code ${exit.code}`}; raise the limit with FLOWSHIP_TASK_NODE_ARGS=--max-old-space-size=<MiB> (on AWS Batch, also resources({ memory }))`
        : exit.signal
          ? `${task} was killed by ${exit.signal}${exit.signal === "SIGKILL" ? " (out of memory, or killed from outside)" : ""}`
          : `${task} ${exit.code === null ? "could not start" : `exited with code ${exit.code}`} without recording a result`;
  const record: AttemptEndRecord = {
    attempt: spec.attempt,
    status: "failed",
    endedAt: new Date().toISOString(),
    artifacts: {},
    failure: {
      // Cancelled: stopped by the runtime because another task failed or the run was interrupted.
      type: exit.timedOut
        ? "Timeout"
        : exit.outOfMemory
          ? "OutOfMemory"
          : exit.cancelled
            ? "Cancelled"
            : "TaskDied",
      message,
      retryable: !exit.cancelled,
    },
    exit: {
      code: exit.code,
      signal: exit.signal,
      ...(exit.timedOut ? { timedOut: true } : {}),
      ...(exit.outOfMemory ? { outOfMemory: true } : {}),
    },
  };
  await store.writeAttemptEnd(spec.runId, spec.step, spec.taskId, record);
  return (await store.readAttemptEnd(spec.runId, spec.step, spec.taskId, spec.attempt)) ?? record;
}
