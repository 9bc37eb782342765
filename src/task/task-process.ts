/**
 * A task attempt as an OS process (`--isolation process` locally, and every attempt in a Batch
 * container): spawned from the compiled flow in its own process group, so a timeout or a stopping
 * run kills whatever the step started too.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { taskNodeArgs } from "../config.js";
import {
  appendAttemptLine,
  attemptEnvironment,
  pipeAttemptOutput,
  TaskAttempt,
  type TaskAttemptOptions,
  type TaskExit,
} from "./task-attempt.js";

/**
 * On Linux a task starts through setpriv(1) with a parent-death signal: when this runtime dies,
 * even by SIGKILL, the kernel kills the task at once — also one whose event loop is blocked in a
 * long synchronous loop and so never sees its stdin close (the watch in task/index.ts, which is
 * the only guard where setpriv is missing). setpriv execs node, so the pid stays the task's.
 */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => fs.existsSync(file));

function taskCommand(args: string[]): [string, string[]] {
  return SETPRIV
    ? [SETPRIV, ["--pdeathsig", "KILL", "--", process.execPath, ...args]]
    : [process.execPath, args];
}

/**
 * How long output may keep flowing after the task exited, from a process that escaped its group
 * (setsid) and still holds the task's stdout: then the streams are closed and the task is over.
 */
const OUTPUT_GRACE_MS = 2000;

// What V8 prints to stderr just before it aborts a process whose heap is full.
const OUT_OF_MEMORY = /JavaScript heap out of memory|Reached heap limit/;

export class TaskProcess extends TaskAttempt {
  readonly exited: Promise<TaskExit>;
  #child: ChildProcess;

  constructor(options: TaskAttemptOptions) {
    super(options, "process");
    const [command, args] = taskCommand([...taskNodeArgs(), options.bundle]);
    this.#child = spawn(command, args, {
      env: { ...attemptEnvironment(options), FLOWSHIP_WATCH_PARENT: "1" },
      // stdin stays open and silent: it closes when this runtime dies, and the task follows.
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
    });
    const streamsDone = [
      pipeAttemptOutput(this.#child.stdout!, "stdout", options),
      pipeAttemptOutput(this.#child.stderr!, "stderr", options, (text) => {
        if (OUT_OF_MEMORY.test(text)) this.outOfMemory = true;
        this.stderrLine(text);
      }),
    ];
    const clearTimer = this.armTimeout();
    this.exited = new Promise<TaskExit>((resolve) => {
      const finish = (code: number | null, signal: NodeJS.Signals | null) =>
        Promise.all(streamsDone).then(() => {
          clearTimer();
          resolve(this.exit(code, signal));
        });
      this.#child.on("error", (error) => {
        appendAttemptLine(options, "stderr", `failed to start task process: ${error.message}`);
        finish(null, null);
      });
      this.#child.on("exit", (code, signal) => {
        // The task is over; what it started goes with it, as in a container whose main process
        // ended — and a leftover holding the task's stdout can no longer keep the run waiting.
        this.#killGroup();
        const grace = setTimeout(() => {
          this.#child.stdout?.destroy();
          this.#child.stderr?.destroy();
        }, OUTPUT_GRACE_MS);
        finish(code, signal).then(() => clearTimeout(grace));
      });
    });
  }

  #killGroup(): void {
    try {
      if (this.#child.pid !== undefined) process.kill(-this.#child.pid, "SIGKILL");
    } catch {
      // No process of the group is left.
    }
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** SIGKILL to the attempt's whole process group. */
  protected stop(): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      this.#child.kill("SIGKILL");
    }
  }
}
