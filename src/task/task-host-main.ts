/**
 * The program of a task host: a small Node process the local runtime keeps and reuses, which runs
 * one task attempt at a time, each in a fresh worker thread (a new V8 isolate with its own module
 * graph, globals and `process.env`). Starting a thread costs a fraction of starting a process; and
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
import { Worker } from "node:worker_threads";

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

function run(message: RunMessage): void {
  let worker: Worker;
  try {
    worker = new Worker(message.bundle, {
      env: message.env,
      stdout: true,
      stderr: true,
      execArgv: [],
      resourceLimits: message.resourceLimits,
    });
  } catch (error) {
    send({ type: "error", message: `failed to start the task thread: ${(error as Error).message}` });
    send({ type: "exit", code: 1, clean: true });
    return;
  }
  let spawned = false;
  const outputs = (["stdout", "stderr"] as const).map(
    (stream) =>
      new Promise<void>((resolve) => {
        const readable = worker[stream];
        readable.on("data", (chunk: Buffer) => send({ type: "out", stream, chunk }));
        readable.on("end", resolve);
        readable.on("close", resolve);
      }),
  );
  worker.on("message", (value: unknown) => {
    if (value === SPAWNED_MESSAGE) spawned = true;
    if (value === ABORT_MESSAGE) process.abort();
  });
  worker.on("error", (error: Error & { code?: string }) => {
    send({
      type: "error",
      message: error.message,
      ...(error.code ? { code: error.code } : {}),
      ...(error.stack ? { stack: error.stack } : {}),
    });
  });
  worker.on("exit", (code) => {
    void Promise.all(outputs).then(() => {
      // A process the step started that is still alive (or one it started and left in our group)
      // goes with the attempt, as with a task process whose group is killed when it exits.
      const started = spawned || hasChildren();
      if (started) killGroupMembers();
      send({ type: "exit", code, clean: !started || process.platform === "linux" });
    });
  });
}

/** The runtime gives the host a stdin it never writes to: when it dies, even by SIGKILL, so does the host. */
function watchRuntime(): void {
  process.stdin.on("end", () => process.kill(process.pid, "SIGKILL"));
  process.stdin.on("error", () => process.kill(process.pid, "SIGKILL"));
  process.stdin.resume();
}

export function runTaskHost(): void {
  watchRuntime();
  process.on("message", (message: RunMessage) => {
    if (message?.type === "run") run(message);
  });
}
