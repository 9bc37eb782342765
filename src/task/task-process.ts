/**
 * A task attempt as an OS process (the default isolation): spawned from the compiled flow in its
 * own process group, so a timeout or a stopping run kills whatever the step started too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { taskNodeArgs } from "../config.js";
import {
  armTimeout,
  pipeAttemptOutput,
  type RunningAttempt,
  type TaskAttemptOptions,
  type TaskExit,
} from "./task-attempt.js";

// What V8 prints to stderr just before it aborts a process whose heap is full.
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit/;

export class TaskProcess implements RunningAttempt {
  readonly options: TaskAttemptOptions;
  readonly exited: Promise<TaskExit>;
  #child: ChildProcess;
  #timedOut = false;
  #cancelled = false;
  #outOfMemory = false;

  constructor(options: TaskAttemptOptions) {
    this.options = options;
    fs.mkdirSync(path.dirname(options.logFiles.stdout), { recursive: true });
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
    const streamsDone = [
      pipeAttemptOutput(this.#child.stdout!, "stdout", options),
      pipeAttemptOutput(this.#child.stderr!, "stderr", options, (text) => {
        if (OUT_OF_MEMORY.test(text)) this.#outOfMemory = true;
      }),
    ];
    const clearTimer = armTimeout(options, () => {
      this.#timedOut = true;
      this.kill();
    });
    this.exited = new Promise<TaskExit>((resolve) => {
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      const finish = () => {
        clearTimer();
        resolve({
          ...exit!,
          timedOut: this.#timedOut,
          cancelled: this.#cancelled,
          outOfMemory: this.#outOfMemory,
          isolation: "process",
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
