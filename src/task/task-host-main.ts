/**
 * The program of a task host: a small Node process the local runtime keeps and reuses, which runs
 * one task attempt at a time in its worker thread (a V8 isolate of its own), which evaluates the
 * compiled flow afresh for each attempt and is replaced by a new one whenever an attempt left
 * something behind in it (warm-thread.ts). Reusing a thread costs a fraction of starting one; and
 * because a host runs a single attempt at a time, a crash that takes the host down (a native
 * fault, `process.abort()`, `process.kill(process.pid)`, the OOM killer) takes that attempt only.
 *
 * Bundled on its own by compileTaskHost (runtime/task-host-pool.ts) with node built-ins only, so a
 * host starts as fast as `node` itself. It speaks to the runtime over the IPC channel
 * (serialization "advanced", so output travels as bytes):
 *
 *   runtime → host  { type: "run", bundle, env, resourceLimits }
 *   host → runtime  { type: "out", stream, chunk } … { type: "error", … }? { type: "exit", code, clean }
 *
 * "exit" comes after all of the attempt's output, and after what the attempt started (processes
 * in the host's process group) has been killed, as the runtime kills a task process's group. Where
 * that cannot be done (no /proc: not Linux), `clean` is false when the attempt started a process,
 * and the runtime kills the host's whole group instead of lending the host again.
 */
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { isMainThread, Worker } from "node:worker_threads";
import {
  type AttemptMessage,
  type BuiltinsMessage,
  type DoneMessage,
  runWarmThread,
  type WarmThreadData,
} from "./warm-thread.js";

export interface RunMessage {
  type: "run";
  bundle: string;
  env: Record<string, string | undefined>;
  resourceLimits: { maxOldGenerationSizeMb?: number };
}

export type HostMessage =
  | { type: "out"; stream: "stdout" | "stderr"; chunk: Uint8Array }
  | { type: "error"; code?: string; message: string; stack?: string }
  | { type: "exit"; code: number; clean: boolean };

/** What a task thread posts to its host when the step starts a subprocess (thread-child-output.ts). */
export const SPAWNED_MESSAGE = "flowship:spawned";
/** What a task thread posts when the step calls process.abort(): the host aborts, as a process would. */
export const ABORT_MESSAGE = "flowship:abort";
/** Set in the environment of an attempt that runs in a task host. */
export const IN_TASK_HOST_ENV = "FLOWSHIP_IN_TASK_HOST";

function send(message: HostMessage): void {
  process.send?.(message);
}

/** Processes of this host's group other than the host: what attempts started and left behind. */
function killGroupMembers(): void {
  if (process.platform !== "linux") return;
  for (const entry of fs.readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "latin1");
      // Fields after the command name "(…)": state, ppid, pgrp, …
      const pgrp = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      if (pgrp === process.pid) process.kill(pid, "SIGKILL");
    } catch {
      // Gone already, or not ours to read.
    }
  }
}

/** Whether a thread of this process has a child process alive (cheap: a few small files). */
function hasChildren(): boolean {
  if (process.platform !== "linux") return true;
  try {
    for (const thread of fs.readdirSync(`/proc/${process.pid}/task`)) {
      const children = fs.readFileSync(`/proc/${process.pid}/task/${thread}/children`, "latin1");
      if (children.trim() !== "") return true;
    }
    return false;
  } catch {
    return true;
  }
}

/**
 * The host's worker thread, kept for the next attempt while attempts leave it as they found it
 * (warm-thread.ts). `current` receives what the thread says while it runs an attempt.
 */
interface WarmWorker {
  worker: Worker;
  limits: string;
  current: ((event: WorkerEvent) => void) | undefined;
}

type WorkerEvent =
  | { kind: "out"; stream: "stdout" | "stderr"; chunk: Buffer }
  | { kind: "done"; message: DoneMessage }
  | { kind: "error"; error: Error & { code?: string } }
  | { kind: "exit"; code: number };

let warm: WarmWorker | undefined;

/**
 * Built-in modules each new thread loads before its first attempt, so that what an attempt does
 * to them is seen (thread-baseline.ts): those flowship's task code loads in every attempt, and
 * those an attempt in this host loaded since (a thread that finds one new ends after that attempt).
 */
const preload = new Set(["crypto", "os", "perf_hooks", "v8"]);

function startWorker(message: RunMessage): WarmWorker {
  // The host bundle itself, which runs runWarmThread() when started as a thread.
  const worker = new Worker(fileURLToPath(import.meta.url), {
    env: message.env,
    stdout: true,
    stderr: true,
    execArgv: [],
    resourceLimits: message.resourceLimits,
    workerData: { preload: [...preload] } satisfies WarmThreadData,
  });
  const entry: WarmWorker = { worker, limits: JSON.stringify(message.resourceLimits), current: undefined };
  const emit = (event: WorkerEvent) => entry.current?.(event);
  const ended = (["stdout", "stderr"] as const).map(
    (stream) =>
      new Promise<void>((resolve) => {
        const readable = worker[stream];
        readable.on("data", (chunk: Buffer) => emit({ kind: "out", stream, chunk }));
        readable.on("end", resolve);
        readable.on("close", resolve);
      }),
  );
  worker.on("message", (value: unknown) => {
    if (value === SPAWNED_MESSAGE) spawned = true;
    else if (value === ABORT_MESSAGE) process.abort();
    else if ((value as DoneMessage)?.type === "done") emit({ kind: "done", message: value as DoneMessage });
    else if ((value as BuiltinsMessage)?.type === "builtins") {
      for (const name of (value as BuiltinsMessage).names) preload.add(name);
    }
  });
  worker.on("error", (error: Error & { code?: string }) => emit({ kind: "error", error }));
  worker.on("exit", (code) => {
    if (warm === entry) warm = undefined;
    // All the thread wrote comes before its end.
    void Promise.all(ended).then(() => emit({ kind: "exit", code }));
  });
  return entry;
}

/** Set when the running attempt started a process (thread-child-output.ts tells). */
let spawned = false;

/**
 * What the host's descriptors 0–2 are (device and inode of each, or that it is closed). The
 * thread shares them: an attempt that closed one (`fs.closeSync(2)`), or opened a file that took
 * its number, would leave the host's next attempts writing nowhere, or into that file.
 */
function stdioIdentity(): string {
  return [0, 1, 2]
    .map((fd) => {
      try {
        const stat = fs.fstatSync(fd);
        return `${stat.dev}:${stat.ino}`;
      } catch {
        return "closed";
      }
    })
    .join(",");
}

let stdioAtStart: string | undefined;

/**
 * How many more descriptors than it started with a host may hold before it is replaced. A file a
 * step opened and never closed stays open in the host (a thread's end closes none), where the
 * next attempts would inherit the leak until they ran out of descriptors (EMFILE); a fresh
 * thread and what Node opens lazily account for a few.
 */
const SPARE_DESCRIPTORS = 64;

/** The host's open descriptors, where /proc tells (Linux); undefined elsewhere. */
function openDescriptors(): number | undefined {
  try {
    return fs.readdirSync("/proc/self/fd").length;
  } catch {
    return undefined;
  }
}

let descriptorsAtStart: number | undefined;

/** Ends the attempt: after what it started is gone (as with a task process whose group is killed). */
function finish(code: number): void {
  // A process the step started that is still alive (or one it started and left in our group)
  // goes with the attempt, as with a task process whose group is killed when it exits.
  const started = spawned || hasChildren();
  if (started) killGroupMembers();
  spawned = false;
  // Not clean: the runtime kills the host instead of lending it again.
  const open = descriptorsAtStart === undefined ? undefined : openDescriptors();
  const leaked = open !== undefined && open > descriptorsAtStart! + SPARE_DESCRIPTORS;
  const clean = (!started || process.platform === "linux") && stdioIdentity() === stdioAtStart && !leaked;
  send({ type: "exit", code, clean });
}

function run(message: RunMessage): void {
  // A thread made for other heap limits (another run's) is not reused.
  if (warm && warm.limits !== JSON.stringify(message.resourceLimits)) {
    void warm.worker.terminate();
    warm = undefined;
  }
  let entry: WarmWorker;
  try {
    entry = warm ?? startWorker(message);
  } catch (error) {
    send({ type: "error", message: `failed to start the task thread: ${(error as Error).message}` });
    send({ type: "exit", code: 1, clean: true });
    return;
  }
  warm = entry;
  spawned = false;
  entry.current = (event) => {
    if (event.kind === "out") send({ type: "out", stream: event.stream, chunk: event.chunk });
    else if (event.kind === "error") {
      const { error } = event;
      send({
        type: "error",
        message: error.message,
        ...(error.code ? { code: error.code } : {}),
        ...(error.stack ? { stack: error.stack } : {}),
      });
    } else if (event.kind === "exit") {
      entry.current = undefined;
      finish(event.code);
    } else {
      entry.current = undefined;
      // A thread whose attempt started a process is not lent again: what it started could
      // reach the next attempt. (One with anything else left in it exits by itself.)
      if (spawned) {
        if (warm === entry) warm = undefined;
        void entry.worker.terminate();
      }
      // Output the thread flushed before it said "done" may still be on its way through the
      // stream's own turn of the event loop.
      setImmediate(() => finish(event.message.code));
    }
  };
  const attempt: AttemptMessage = { type: "attempt", bundle: message.bundle, env: message.env };
  entry.worker.postMessage(attempt);
}

/** The runtime gives the host a stdin it never writes to: when it dies, even by SIGKILL, so does the host. */
function watchRuntime(): void {
  process.stdin.on("end", () => process.kill(process.pid, "SIGKILL"));
  process.stdin.on("error", () => process.kill(process.pid, "SIGKILL"));
  process.stdin.resume();
}

export function runTaskHost(): void {
  // The host program is also its own worker thread's program.
  if (!isMainThread) {
    runWarmThread();
    return;
  }
  stdioAtStart = stdioIdentity();
  descriptorsAtStart = openDescriptors();
  watchRuntime();
  process.on("message", (message: RunMessage) => {
    if (message?.type === "run") run(message);
  });
  prewarm();
}

/**
 * Starts the thread for the first attempt now, while the runtime still prepares it (~30 ms of a
 * new isolate that attempt would otherwise wait for). Only with the default heap limits: attempts
 * under FLOWSHIP_TASK_NODE_ARGS come with limits of their own, which a thread is made for. The
 * attempt's environment replaces the thread's own when it starts (warm-thread.ts).
 */
function prewarm(): void {
  if (process.env.FLOWSHIP_TASK_NODE_ARGS) return;
  try {
    warm = startWorker({ type: "run", bundle: "", env: { ...process.env }, resourceLimits: {} });
  } catch {
    // The first attempt starts its own, and says why if it cannot.
  }
}
