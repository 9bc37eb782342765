/**
 * One task attempt as an OS process: spawned from the compiled flow, its output streamed line by
 * line to the console (prefixed with its pathspec) and to the attempt's log files, killed on
 * timeout or when the run stops.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { secretValues, taskNodeArgs } from "../config.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { AttemptEndRecord } from "../datastore/records-types.js";
import { redact } from "../util/redact.js";
import type { TaskSpec } from "./task-spec.js";

export interface TaskExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the runtime killed it because the run is stopping. */
  cancelled: boolean;
  /** V8 reported that the JavaScript heap was full before the process aborted. */
  outOfMemory: boolean;
}

// What V8 prints to stderr just before it aborts a process whose heap is full.
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit/;

export interface TaskProcessOptions {
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
}

export class TaskProcess {
  readonly options: TaskProcessOptions;
  readonly exited: Promise<TaskExit>;
  #child: ChildProcess;
  #timedOut = false;
  #cancelled = false;
  #outOfMemory = false;

  constructor(options: TaskProcessOptions) {
    this.options = options;
    fs.mkdirSync(path.dirname(options.logFiles.stdout), { recursive: true });
    // Own process group, so a kill reaches anything the step started too.
    this.#child = spawn(process.execPath, [...taskNodeArgs(), options.bundle], {
      env: {
        ...process.env,
        ...options.env,
        FLOWSHIP_TASK: JSON.stringify(options.spec),
        FLOWSHIP_WATCH_PARENT: "1",
      },
      // stdin stays open and silent: it closes when this runtime dies, and the task follows.
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const streamsDone = [this.#pipe("stdout"), this.#pipe("stderr")];
    const timer =
      options.timeoutSeconds !== undefined
        ? setTimeout(() => {
            this.#timedOut = true;
            this.kill();
          }, options.timeoutSeconds * 1000)
        : undefined;
    this.exited = new Promise<TaskExit>((resolve) => {
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      const finish = () => {
        if (timer) clearTimeout(timer);
        resolve({
          ...exit!,
          timedOut: this.#timedOut,
          cancelled: this.#cancelled,
          outOfMemory: this.#outOfMemory,
        });
      };
      this.#child.on("error", (error) => {
        options.print(`failed to start task process: ${error.message}`, "stderr");
        exit = { code: null, signal: null };
        Promise.all(streamsDone).then(finish);
      });
      this.#child.on("exit", (code, signal) => {
        exit = { code, signal };
        Promise.all(streamsDone).then(finish);
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  #pipe(stream: "stdout" | "stderr"): Promise<void> {
    const secrets = this.options.secrets ?? secretValues();
    const file = fs.createWriteStream(this.options.logFiles[stream], { flags: "a" });
    const lines = readline.createInterface({
      input: this.#child[stream]!,
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    lines.on("line", (text) => {
      if (stream === "stderr" && OUT_OF_MEMORY.test(text)) this.#outOfMemory = true;
      // What a step prints is stored: a secret it prints is masked first.
      const line = redact(text, secrets);
      file.write(`${line}\n`);
      this.options.print(`${this.options.prefix} ${line}`, stream);
    });
    return new Promise((resolve) => {
      lines.on("close", () => file.end(resolve));
    });
  }

  /** Stops the attempt: SIGKILL to its whole process group. */
  kill(options: { cancelled?: boolean } = {}): void {
    if (options.cancelled) this.#cancelled = true;
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      this.#child.kill("SIGKILL");
    }
  }
}

/**
 * The attempt's process ended without recording how it ended (killed, timed out, crashed):
 * record it on its behalf, with the reason. If the task did record an end after all (it races
 * with us), that record wins and is returned.
 */
export async function recordDeath(
  store: FlowStore,
  spec: TaskSpec,
  exit: TaskExit,
): Promise<AttemptEndRecord> {
  const timeout = spec.decorators.find((d) => d.kind === "timeout");
  const message = exit.timedOut
    ? `timed out after ${timeout?.kind === "timeout" ? timeout.options.seconds : "?"} s and was killed`
    : exit.cancelled
      ? "killed because the run stopped"
      : exit.outOfMemory
        ? `the task process ran out of memory (JavaScript heap limit) and was stopped by ${exit.signal ?? `exit code ${exit.code}`}; raise the limit with FLOWSHIP_TASK_NODE_ARGS=--max-old-space-size=<MiB> (on AWS Batch, also resources({ memory }))`
        : exit.signal
          ? `the task process was killed by ${exit.signal}${exit.signal === "SIGKILL" ? " (out of memory, or killed from outside)" : ""}`
          : `the task process exited with code ${exit.code} without recording a result`;
  const record: AttemptEndRecord = {
    attempt: spec.attempt,
    status: "failed",
    endedAt: new Date().toISOString(),
    artifacts: {},
    failure: {
      type: exit.timedOut ? "Timeout" : exit.outOfMemory ? "OutOfMemory" : "TaskDied",
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
