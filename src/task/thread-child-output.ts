/**
 * In a task thread, a subprocess started with `stdio: "inherit"` would inherit the *process's*
 * descriptors — the runtime's own stdout and stderr — and write there unmasked and unlogged (and,
 * if it lives on, hold the runtime's output open). In a thread, `spawn` and `fork` therefore hand
 * the subprocess pipes instead and copy its output into the thread's stdout and stderr, which the
 * runtime masks and logs like a task process's. The synchronous variants are left alone (see
 * docs/runtime.md, "Isolation").
 */
import childProcess, { type ChildProcess } from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { isMainThread } from "node:worker_threads";

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

export function routeChildOutputThroughThread(): void {
  if (isMainThread) return;
  const cp = childProcess as unknown as Record<string, (...args: unknown[]) => ChildProcess>;
  const spawn = cp.spawn!;
  const fork = cp.fork!;
  cp.spawn = (...args: unknown[]) => {
    const { head, options } = splitArgs(args);
    const route = piped(options.stdio);
    return forward(spawn(...head, { ...options, stdio: route.stdio }), route.out, route.err);
  };
  cp.fork = (...args: unknown[]) => {
    const { head, options } = splitArgs(args);
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
