/**
 * In a task thread, a subprocess started with `stdio: "inherit"` would inherit the *process's*
 * descriptors — the runtime's own stdout and stderr — and write there unmasked and unlogged (and,
 * if it lives on, hold the runtime's output open). In a thread, `spawn` and `fork` therefore hand
 * the subprocess pipes instead and copy its output into the thread's stdout and stderr, which the
 * runtime masks and logs like a task process's. The synchronous variants block the thread, so
 * nothing could read a pipe meanwhile: in a thread of the runtime they write into an unlinked
 * temporary file instead, copied into the thread's output once they return (see docs/runtime.md,
 * "Isolation"). In a task host the process's output is the attempt's already.
 */
import childProcess, { type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
import os from "node:os";
import path from "node:path";
import { isMainThread, parentPort } from "node:worker_threads";
import { FlowshipError } from "../errors.js";
import { ABORT_MESSAGE, IN_TASK_HOST_ENV, SPAWNED_MESSAGE } from "./task-host-main.js";

type Stdio = string | number | null | undefined | object;

/** fd 1 and 2 when they would be the process's own: "inherit", 1/2, or process.stdout/stderr. */
function inheritsOutput(entry: Stdio, fd: 1 | 2): boolean {
  return entry === "inherit" || entry === fd || entry === (fd === 1 ? process.stdout : process.stderr);
}

/** The stdio option with inherited output replaced by pipes, and which of the two were. */
function piped(stdio: unknown): { stdio: unknown; out: boolean; err: boolean } {
  if (stdio === "inherit") return { stdio: ["inherit", "pipe", "pipe"], out: true, err: true };
  if (!Array.isArray(stdio)) return { stdio, out: false, err: false };
  const copy = [...stdio] as Stdio[];
  const out = inheritsOutput(copy[1], 1);
  const err = inheritsOutput(copy[2], 2);
  if (out) copy[1] = "pipe";
  if (err) copy[2] = "pipe";
  return { stdio: copy, out, err };
}

/** Forwarded outputs still open: a subprocess that outlives its step may have more to say. */
let open = 0;

function forward(child: ChildProcess, out: boolean, err: boolean): ChildProcess {
  for (const [stream, into, wanted] of [
    [child.stdout, process.stdout, out],
    [child.stderr, process.stderr, err],
  ] as const) {
    if (!wanted || !stream) continue;
    open++;
    stream.once("close", () => open--);
    stream.pipe(into, { end: false });
  }
  return child;
}

/**
 * Before a task thread ends: while a forwarded subprocess output is still open, a few turns of
 * the event loop let what it already wrote into the pipe be read and passed on.
 */
export async function drainChildOutput(): Promise<void> {
  if (open === 0) return;
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/** Options are the last object argument of spawn(command, [args], [options]). */
function splitArgs(args: unknown[]): { head: unknown[]; options: Record<string, unknown> } {
  const last = args.at(-1);
  if (args.length > 1 && last !== null && typeof last === "object" && !Array.isArray(last)) {
    return { head: args.slice(0, -1), options: last as Record<string, unknown> };
  }
  return { head: args, options: {} };
}

/**
 * A thread's process.stdin, stdout and stderr are streams of the thread, not descriptors, so
 * child_process refuses them in `stdio`; outside a thread they stand for fds 0, 1 and 2, which
 * is what they are given as here (and fds 1 and 2 are then routed like "inherit").
 */
function workerStdioAsFds(args: unknown[]): unknown[] {
  const { head, options } = splitArgs(args);
  if (!Array.isArray(options.stdio)) return args;
  const streams: unknown[] = [process.stdin, process.stdout, process.stderr];
  if (!options.stdio.some((entry) => streams.includes(entry))) return args;
  const stdio = options.stdio.map((entry) => (streams.includes(entry) ? streams.indexOf(entry) : entry));
  return [...head, { ...options, stdio }];
}

/** An open temporary file no other process can find (it is unlinked at once), for a subprocess's output. */
function captureFile(): number {
  const file = path.join(os.tmpdir(), `flowship-output-${process.pid}-${randomBytes(8).toString("hex")}`);
  const fd = fs.openSync(file, "wx+", 0o600);
  fs.unlinkSync(file);
  return fd;
}

/** Copies what a subprocess wrote into `fd` to the thread's `into`, and closes it. */
function release(fd: number | undefined, into: NodeJS.WritableStream): void {
  if (fd === undefined) return;
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    for (let position = 0, read = 1; read > 0; position += read) {
      read = fs.readSync(fd, buffer, 0, buffer.length, position);
      if (read > 0) into.write(Buffer.from(buffer.subarray(0, read)));
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * spawnSync, execSync or execFileSync with inherited output: the subprocess writes into temporary
 * files, whose bytes then go to the thread's stdout and stderr (so they are masked and logged),
 * after it returned. What the call returns is what it returns with inherited output.
 */
function runCapturingOutput(original: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  const { head, options } = splitArgs(args);
  const stdio: unknown = options.stdio;
  const entries = stdio === "inherit" ? ["inherit", "inherit", "inherit"] : stdio;
  if (!Array.isArray(entries)) return original(...args);
  const copy = [...entries] as Stdio[];
  const out = inheritsOutput(copy[1], 1) ? captureFile() : undefined;
  const err = inheritsOutput(copy[2], 2) ? captureFile() : undefined;
  if (out === undefined && err === undefined) return original(...args);
  if (out !== undefined) copy[1] = out;
  if (err !== undefined) copy[2] = err;
  try {
    return original(...head, { ...options, stdio: copy });
  } finally {
    release(out, process.stdout);
    release(err, process.stderr);
  }
}

/** Tells a task host that this attempt started a process, to be killed with the attempt if it lingers. */
function announceSpawn(): void {
  parentPort?.postMessage(SPAWNED_MESSAGE);
}

/**
 * A thread receives no signals, so a handler for one would silently never run. Libraries register
 * such handlers for their own clean-up, so registering is not refused; the step's log says once
 * what it means instead.
 */
function warnAboutSignalHandlers(): void {
  let warned = false;
  for (const name of ["on", "once", "addListener", "prependListener", "prependOnceListener"] as const) {
    const original = process[name].bind(process) as (
      event: string | symbol,
      listener: () => void,
    ) => NodeJS.Process;
    (process as unknown as Record<string, unknown>)[name] = (
      event: string | symbol,
      listener: () => void,
    ) => {
      if (!warned && typeof event === "string" && /^SIG[A-Z0-9]+$/.test(event)) {
        warned = true;
        process.stderr.write(
          `warning: process.${name}("${event}") has no effect in a task thread, which receives no signals (a timeout or a stopped run ends it at once); run with --isolation process for steps that handle signals.\n`,
        );
      }
      return original(event, listener);
    };
  }
}

/**
 * What a thread cannot do that a process can: `process.abort()` in a task host aborts the host —
 * as it would a task process, taking this attempt only — and is refused in a thread of the runtime
 * (it would end the run); `process.chdir` is refused, since the threads of a process share one
 * working folder. Each refusal is a one-line error that says what to do.
 */
function refuseProcessWideChanges(): void {
  process.abort = () => {
    if (process.env[IN_TASK_HOST_ENV] === "1" && parentPort) {
      parentPort.postMessage(ABORT_MESSAGE);
      // The host aborts at once; nothing after this line should run meanwhile.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10_000);
    }
    throw new FlowshipError(
      "FS_THREAD_ABORT",
      "process.abort() cannot run in a task thread of the runtime (it would end the whole run): run with --isolation process or host.",
    );
  };
  warnAboutSignalHandlers();
  process.chdir = () => {
    throw new FlowshipError(
      "FS_THREAD_CHDIR",
      "process.chdir() cannot run in a task thread (threads share one working folder): pass full paths instead, or run with --isolation process.",
    );
  };
}

export function routeChildOutputThroughThread(): void {
  if (isMainThread) return;
  refuseProcessWideChanges();
  const cp = childProcess as unknown as Record<string, (...args: unknown[]) => ChildProcess>;
  const spawn = cp.spawn!;
  const fork = cp.fork!;
  const inRuntime = process.env[IN_TASK_HOST_ENV] !== "1";
  // exec, execFile and the synchronous variants do not go through the exported spawn.
  for (const name of ["exec", "execFile", "execSync", "execFileSync", "spawnSync"]) {
    const original = cp[name]!;
    const sync = name.endsWith("Sync");
    const wrapped = (...given: unknown[]) => {
      announceSpawn();
      const args = workerStdioAsFds(given);
      return sync && inRuntime ? (runCapturingOutput(original, args) as ChildProcess) : original(...args);
    };
    // Keep what is attached to the original, e.g. exec's util.promisify.custom.
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
    cp[name] = wrapped;
  }
  cp.spawn = (...args: unknown[]) => {
    announceSpawn();
    const { head, options } = splitArgs(workerStdioAsFds(args));
    const route = piped(options.stdio);
    return forward(spawn(...head, { ...options, stdio: route.stdio }), route.out, route.err);
  };
  cp.fork = (...args: unknown[]) => {
    announceSpawn();
    const { head, options } = splitArgs(workerStdioAsFds(args));
    // fork inherits the parent's output unless `silent` or `stdio` says otherwise.
    if (options.stdio === undefined && !options.silent) {
      return forward(fork(...head, { ...options, silent: true }), true, true);
    }
    const route = piped(options.stdio);
    return forward(fork(...head, { ...options, stdio: route.stdio }), route.out, route.err);
  };
  // Named imports of node:child_process (`import { spawn } …`) see the replacements too.
  syncBuiltinESMExports();
}
