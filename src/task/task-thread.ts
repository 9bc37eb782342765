/**
 * A task attempt as a worker thread (`run --isolation thread`): the compiled flow runs in a new V8
 * isolate inside the runtime's process, with its own module graph, globals and `process.env`, so
 * no task sees another task's module state, but starting one costs about half of what a process
 * does (no Node boot). What it gives up is in docs/runtime.md ("Isolation"): the OS process, its working
 * directory and the descriptors are shared, and a timeout stops the thread but not processes the
 * step started.
 */
import { Worker } from "node:worker_threads";
import { taskNodeArgs } from "../config.js";
import { FlowshipError } from "../errors.js";
import { mapStack } from "./source-map-stack.js";
import {
  appendAttemptLine,
  attemptEnvironment,
  pipeAttemptOutput,
  TaskAttempt,
  type TaskAttemptOptions,
  type TaskExit,
} from "./task-attempt.js";

const HEAP_LIMIT = /^--max-old-space-size=(\d+)$/;

/**
 * FLOWSHIP_TASK_NODE_ARGS as a worker takes them: the heap limit becomes the thread's own
 * resource limit (a process-wide flag would not apply to it); the rest are worker flags.
 */
function threadSettings(): { execArgv: string[]; resourceLimits: { maxOldGenerationSizeMb?: number } } {
  const execArgv: string[] = [];
  const resourceLimits: { maxOldGenerationSizeMb?: number } = {};
  for (const arg of taskNodeArgs()) {
    const heap = HEAP_LIMIT.exec(arg);
    if (heap) resourceLimits.maxOldGenerationSizeMb = Number(heap[1]);
    else execArgv.push(arg);
  }
  return { execArgv, resourceLimits };
}

/** The heap limit of a task thread, from FLOWSHIP_TASK_NODE_ARGS' --max-old-space-size. */
export function threadResourceLimits(): { maxOldGenerationSizeMb?: number } {
  return threadSettings().resourceLimits;
}

/** Fails fast, before a run starts, when FLOWSHIP_TASK_NODE_ARGS holds flags a thread cannot take. */
export function checkThreadSettings(): void {
  const { execArgv, resourceLimits } = threadSettings();
  try {
    new Worker("", { eval: true, execArgv, resourceLimits }).terminate();
  } catch (error) {
    throw new FlowshipError(
      "FS_THREAD_NODE_ARGS",
      `FLOWSHIP_TASK_NODE_ARGS '${execArgv.join(" ")}' cannot be given to a task thread (${(error as Error).message}); run with --isolation process.`,
      { exitCode: 2 },
    );
  }
}

export class TaskThread extends TaskAttempt {
  readonly exited: Promise<TaskExit>;
  #worker: Worker | undefined;

  constructor(options: TaskAttemptOptions) {
    super(options, "thread");
    const { execArgv, resourceLimits } = threadSettings();
    try {
      this.#worker = new Worker(options.bundle, {
        env: attemptEnvironment(options),
        stdout: true,
        stderr: true,
        // Not the runtime's own flags (a loader, an inspector): a task starts like `node bundle`.
        execArgv,
        resourceLimits,
      });
    } catch (error) {
      appendAttemptLine(options, "stderr", `failed to start task thread: ${(error as Error).message}`);
      this.exited = Promise.resolve(this.exit(null, null));
      return;
    }
    const worker = this.#worker;
    const streamsDone = [
      pipeAttemptOutput(worker.stdout, "stdout", options),
      pipeAttemptOutput(worker.stderr, "stderr", options, (text) => this.stderrLine(text)),
    ];
    const clearTimer = this.armTimeout();
    // A process prints its own uncaught error before it dies; a thread hands it to us instead.
    let uncaught: string | undefined;
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") {
        // Its stack is node's own, not the step's: the message is what matters.
        this.outOfMemory = true;
        uncaught = error.message;
      } else {
        uncaught = mapStack(error.stack ?? String(error), options.bundle);
      }
    });
    this.exited = new Promise<TaskExit>((resolve) => {
      worker.on("exit", (code) => {
        Promise.all(streamsDone).then(() => {
          clearTimer();
          if (uncaught && !this.timedOut && !this.cancelled) appendAttemptLine(options, "stderr", uncaught);
          resolve(this.exit(code, null));
        });
      });
    });
  }

  /** The thread's JavaScript is terminated wherever it is. */
  protected stop(): void {
    void this.#worker?.terminate();
  }
}
