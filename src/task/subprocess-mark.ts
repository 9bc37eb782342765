/**
 * Every process a step starts carries its attempt's mark (FLOWSHIP_RUN_MARK), by which the local
 * runtime's watcher finds and kills what an attempt or a run left behind (runtime/run-reaper.ts).
 * A subprocess inherits the mark with the environment; a step that gives one an environment of
 * its own (`spawn(cmd, { env: { PATH } })`) would drop it, so the mark is added to that
 * environment here. The step sees no difference but one more variable in the child.
 */
import childProcess from "node:child_process";
import { syncBuiltinESMExports } from "node:module";
import { RUN_MARK_VARIABLE, runMark } from "../config.js";

/** Every function of node:child_process that starts a process and takes an `env` option. */
const STARTERS = ["spawn", "fork", "exec", "execFile", "spawnSync", "execSync", "execFileSync"] as const;

/**
 * The arguments with the mark added to an `env` option. The options are the one plain object
 * after the command (and its argument array); a callback or an argument array is not one.
 */
function marked(args: unknown[], mark: string): unknown[] {
  for (let i = 1; i < args.length; i++) {
    const options = args[i];
    if (options === null || typeof options !== "object" || Array.isArray(options)) continue;
    const env = (options as { env?: unknown }).env;
    if (
      env === null ||
      typeof env !== "object" ||
      (env as Record<string, unknown>)[RUN_MARK_VARIABLE] === mark
    ) {
      return args;
    }
    const copy = [...args];
    copy[i] = { ...options, env: { ...env, [RUN_MARK_VARIABLE]: mark } };
    return copy;
  }
  return args;
}

/** In a task started by the local runtime: makes every subprocess of the step carry the mark. */
export function markSubprocesses(): void {
  const mark = runMark();
  if (mark === undefined) return;
  const cp = childProcess as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of STARTERS) {
    const original = cp[name]!;
    const wrapped = (...args: unknown[]) => original(...marked(args, mark));
    // Keep what is attached to the original, e.g. exec's util.promisify.custom.
    Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
    cp[name] = wrapped;
  }
  // Named imports of node:child_process (`import { spawn } …`) see the replacements too.
  syncBuiltinESMExports();
}
