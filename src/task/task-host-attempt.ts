/**
 * A task attempt in a task host (the default isolation): a fresh worker thread in a reusable host
 * process that runs nothing else meanwhile (task-host-main.ts). The attempt streams, masks and
 * logs its output like a task process; a timeout or a stopping run kills the host's whole process
 * group (the thread, a native call it is stuck in, and whatever it started), and a host that dies
 * ends its one attempt as a dead process would.
 */
import { PassThrough } from "node:stream";
import { mapStack } from "./source-map-stack.js";
import {
  appendAttemptLine,
  attemptEnvironment,
  pipeAttemptOutput,
  TaskAttempt,
  type TaskAttemptOptions,
  type TaskExit,
} from "./task-attempt.js";
import { type HostMessage, IN_TASK_HOST_ENV, type RunMessage } from "./task-host-main.js";
import { threadResourceLimits } from "./task-thread.js";

/** What an attempt hears from its host. */
export interface HostListener {
  message(message: HostMessage): void;
  /** Bytes the host process itself wrote (a native write, a subprocess that inherited its output). */
  raw(stream: "stdout" | "stderr", chunk: Buffer): void;
  /** The host process ended: after "exit" when it was killed on purpose, or instead of it. */
  hostExit(code: number | null, signal: NodeJS.Signals | null): void;
}

/** One host, lent to one attempt at a time by the runtime's pool. */
export interface HostLease {
  run(message: RunMessage, listener: HostListener): void;
  /** SIGKILL to the host's process group; the host is not lent again. */
  kill(): void;
  /** The attempt is over and the host is whole: lend it to the next attempt. */
  release(): void;
}

export class TaskHostAttempt extends TaskAttempt {
  readonly exited: Promise<TaskExit>;
  #host: HostLease | undefined;
  #end: ((code: number | null, signal: NodeJS.Signals | null, hostWhole: boolean) => void) | undefined;

  /** `host` resolves when the pool lends one (at once, or when one comes free). */
  constructor(options: TaskAttemptOptions, host: Promise<HostLease>) {
    super(options, "host");
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const streamsDone = [
      pipeAttemptOutput(stdout, "stdout", options),
      pipeAttemptOutput(stderr, "stderr", options, (text) => this.stderrLine(text)),
    ];
    // The time counts from when a host takes the attempt, not while it waits for one.
    let clearTimer = () => {};
    let uncaught: string | undefined;
    this.exited = new Promise<TaskExit>((resolve) => {
      let ended = false;
      this.#end = (code, signal, hostWhole) => {
        if (ended) return;
        ended = true;
        clearTimer();
        stdout.end();
        stderr.end();
        void Promise.all(streamsDone).then(() => {
          if (uncaught && !this.timedOut && !this.cancelled) appendAttemptLine(options, "stderr", uncaught);
          if (hostWhole) this.#host?.release();
          resolve(this.exit(code, signal));
        });
      };
      const end = this.#end;
      void host.then((lease) => {
        // Stopped while it waited for a host: the host goes back unused.
        if (ended) return lease.release();
        let reported = false;
        this.#host = lease;
        clearTimer = this.armTimeout();
        lease.run(
          {
            type: "run",
            bundle: options.bundle,
            env: { ...attemptEnvironment(options), [IN_TASK_HOST_ENV]: "1" },
            resourceLimits: threadResourceLimits(),
          },
          {
            message: (message) => {
              if (message.type === "out")
                (message.stream === "stdout" ? stdout : stderr).write(message.chunk);
              else if (message.type === "error") {
                // A process prints its own uncaught error before it dies; a thread hands it over.
                if (message.code === "ERR_WORKER_OUT_OF_MEMORY") {
                  this.outOfMemory = true;
                  uncaught = message.message;
                } else {
                  uncaught = mapStack(message.stack ?? message.message, options.bundle);
                }
              } else if (message.type === "exit") {
                // What the host wrote to its descriptors (fs.writeSync(2, …), a subprocess's
                // inherited output) was in its pipes before this message was sent, but may be
                // read after it in the same turn of the event loop: the attempt ends after that.
                reported = true;
                setImmediate(() => {
                  end(message.code, null, message.clean && !this.timedOut && !this.cancelled);
                  // A host that could not clear what its attempt started goes, group and all.
                  if (!message.clean) lease.kill();
                });
              }
            },
            raw: (stream, chunk) => (stream === "stdout" ? stdout : stderr).write(chunk),
            hostExit: (code, signal) => {
              // The attempt said how it ended: the host's end (killed as unclean) is not its death.
              if (reported) return;
              this.hostDied = true;
              end(code, signal, false);
            },
          },
        );
      });
    });
  }

  /** The thread may be stuck in a native call `terminate()` cannot end: the host goes instead. */
  protected stop(): void {
    if (this.#host) {
      this.#host.kill();
      return;
    }
    this.neverStarted = true;
    this.#end?.(null, null, false);
  }
}
