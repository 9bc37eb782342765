/**
 * The worker thread of a task host, kept warm across attempts. Starting a thread costs ~20 ms of
 * CPU, more than everything else a trivial task does; so a thread runs one attempt after another,
 * and each attempt imports the compiled flow anew (under a URL of its own), which evaluates every
 * module of the bundle afresh: module-level state never passes from one attempt to the next.
 *
 * What a fresh evaluation cannot undo is what an attempt changed outside the bundle's modules:
 * a timer or handle still active, a listener on `process` or its streams, a changed global,
 * built-in prototype or built-in module, `process.env`, a subprocess, an uncaught error. After
 * each attempt the thread checks for these (thread-baseline.ts, about a millisecond) and, when it
 * finds one, exits
 * as a thread of its own did after every attempt; the next attempt gets a fresh thread. So
 * whether a thread is reused never depends on the step being tidy; only its cost does.
 *
 * Runs inside the host bundle (node built-ins only).
 *
 *   host → thread  { type: "attempt", bundle, env }
 *   thread → host  { type: "done", code }  (after the attempt's output is flushed), or it exits
 *                  { type: "builtins", names }  (before it exits: modules its next ones load first)
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import { type Baseline, baseline, leftovers, preloadBuiltins, type Timer } from "./thread-baseline.js";

export interface AttemptMessage {
  type: "attempt";
  bundle: string;
  env: Record<string, string | undefined>;
}

/**
 * What a thread is started with: the built-in modules to load before its first attempt, so that
 * its baseline covers them (thread-baseline.ts).
 */
export interface WarmThreadData {
  preload: string[];
}

/** Built-in modules an attempt loaded that the thread had not: loaded by the host's next threads at once. */
export interface BuiltinsMessage {
  type: "builtins";
  names: string[];
}

/** The attempt ended and left the thread as it found it: the thread takes the next one. */
export interface DoneMessage {
  type: "done";
  code: number;
}

/**
 * Where an attempt's task entry (task/index.ts) finds how to end in a warm thread: instead of
 * `process.exit(code)` it calls this with the code, once its output is flushed.
 */
export const WARM_ATTEMPT_END = Symbol.for("flowship.warmAttemptEnd");

/** A thread takes at most this many attempts: each import keeps its module record (~0.4 MB). */
const MAX_ATTEMPTS_PER_THREAD = 100;

/**
 * Notes every timer an attempt creates, also one it unrefs (an unref'd timer is no active handle,
 * yet would fire in the next attempt): the bundle reads these functions from the global when it
 * is evaluated, so its code and its libraries create their timers through them.
 */
function trackTimers(timers: Set<Timer>): void {
  for (const name of ["setTimeout", "setInterval", "setImmediate"] as const) {
    const original = globalThis[name] as unknown as (...args: unknown[]) => Timer;
    const tracked = (...args: unknown[]) => {
      const timer = original(...args);
      timers.add(timer);
      return timer;
    };
    // Keep what is attached to the original, e.g. setTimeout's util.promisify.custom.
    Object.defineProperties(tracked, Object.getOwnPropertyDescriptors(original));
    (globalThis as Record<string, unknown>)[name] = tracked;
  }
}

/** What the task entry patches on every evaluation (subprocess-mark.ts, thread-child-output.ts): put back before the next. */
function patchedOriginals(): () => void {
  const cp = childProcess as unknown as Record<string, unknown>;
  const names = ["spawn", "fork", "exec", "execFile", "spawnSync", "execSync", "execFileSync"];
  const saved = names.map((name) => cp[name]);
  const proc = process as unknown as Record<string, unknown>;
  const processNames = [
    "abort",
    "chdir",
    "on",
    "once",
    "addListener",
    "prependListener",
    "prependOnceListener",
  ];
  const processSaved = processNames.map((name) => proc[name]);
  return () => {
    names.forEach((name, i) => {
      cp[name] = saved[i];
    });
    processNames.forEach((name, i) => {
      proc[name] = processSaved[i];
    });
    syncBuiltinESMExports();
  };
}

/**
 * What flowship's own modules keep on `globalThis` (the flows a bundle defined, `current`): an
 * attempt starts without the last one's, and leaves nothing the next would find.
 */
function forgetFlowshipGlobals(): void {
  for (const key of Object.getOwnPropertySymbols(globalThis)) {
    if (key.description?.startsWith("flowship.")) delete (globalThis as Record<symbol, unknown>)[key];
  }
}

export function runWarmThread(): void {
  const port = parentPort!;
  preloadBuiltins((workerData as WarmThreadData | undefined)?.preload ?? []);
  const timers = new Set<Timer>();
  trackTimers(timers);
  const restore = patchedOriginals();
  const argv1 = process.argv[1];
  let attempts = 0;
  let before: Baseline | undefined;
  port.on("message", (message: AttemptMessage) => {
    if (message?.type !== "attempt") return;
    attempts++;
    restore();
    forgetFlowshipGlobals();
    timers.clear();
    process.env = { ...message.env } as NodeJS.ProcessEnv;
    process.exitCode = undefined;
    // Where mapStack (source-map-stack.ts) finds the bundle, as in a thread started on it.
    process.argv[1] = message.bundle;
    // A step that waits on nothing more ends as in a thread of its own: its event loop empties
    // and the thread exits (code 0), which the host reports like any ended thread.
    port.unref();
    // Taken once: a thread that takes another attempt was found as it was then.
    before ??= baseline();
    const found = before;
    // Called from the stderr flush's callback, while the stdio port still holds the loop: looked
    // at once that callback has returned.
    const end = (code: number) => queueMicrotask(() => ended(code));
    const ended = (code: number) => {
      restore();
      forgetFlowshipGlobals();
      process.argv[1] = argv1!;
      const left = leftovers(found, message.env, timers);
      if (left?.loaded) port.postMessage({ type: "builtins", names: left.loaded } satisfies BuiltinsMessage);
      const why =
        left?.why ?? (attempts >= MAX_ATTEMPTS_PER_THREAD ? "its attempt count is reached" : undefined);
      // A thread with something left in it ends as a thread of its own did after each attempt:
      // by process.exit, so its "exit" listeners run (and may change the code) and the host
      // starts a fresh one.
      if (why !== undefined) process.exit(code);
      port.ref();
      port.postMessage({ type: "done", code } satisfies DoneMessage);
    };
    (globalThis as Record<symbol, unknown>)[WARM_ATTEMPT_END] = end;
    import(`${pathToFileURL(message.bundle).href}?attempt=${attempts}`).catch((error: unknown) => {
      // The bundle threw while it was evaluated (the flow's own top level): as an uncaught error
      // ends a thread of its own, with the error handed to the host.
      throw error;
    });
  });
}
