/**
 * Opening a file or an address for the user — `card view`'s HTML file, `ui --open`'s address —
 * with the command line in FLOWSHIP_OPEN_COMMAND, else the platform's opener, and hearing (a
 * little) whether that worked, so a missing or failing opener is said rather than waited on.
 */
import { spawn } from "node:child_process";
import { openCommand } from "../config.js";
import { splitCommandLine } from "../util/command-line.js";

/** How long to wait to hear whether the opener worked; one still running then is left to run. */
const OPENER_WAIT_MS = 5000;

/** The opener's program and arguments for `target`, or why FLOWSHIP_OPEN_COMMAND cannot be used. */
function openerFor(target: string): string[] | string {
  const custom = openCommand();
  if (custom === undefined) {
    if (process.platform === "darwin") return ["open", target];
    if (process.platform === "win32") return ["cmd", "/c", "start", "", target];
    return ["xdg-open", target];
  }
  const words = splitCommandLine(custom);
  if (words === undefined || words.length === 0) {
    return `FLOWSHIP_OPEN_COMMAND ${JSON.stringify(custom)} is not a command line (an unclosed quote?); open ${target} yourself`;
  }
  return [...words, target];
}

/** Why the opener's run failed, from how it ended; undefined when it did not fail (or still runs). */
function failure(
  program: string,
  outcome: { error?: NodeJS.ErrnoException; code?: number | null; signal?: string | null },
): string | undefined {
  if (outcome.error) {
    return outcome.error.code === "ENOENT"
      ? `there is no program '${program}'`
      : `'${program}' could not start (${outcome.error.message})`;
  }
  if (outcome.signal) return `'${program}' was killed by ${outcome.signal}`;
  if (outcome.code !== undefined && outcome.code !== null && outcome.code !== 0) {
    return `'${program}' exited with code ${outcome.code}`;
  }
  return undefined;
}

/**
 * Opens `target`; resolves to why that failed (ending with what to do instead), or to undefined
 * once the opener succeeded or is still running after a few seconds. Its output goes to stderr,
 * so a command's stdout stays its own.
 */
export async function openForUser(target: string): Promise<string | undefined> {
  const opener = openerFor(target);
  if (typeof opener === "string") return opener;
  const [program, ...args] = opener as [string, ...string[]];
  const child = spawn(program, args, { stdio: ["ignore", 2, 2], detached: true });
  const outcome = await new Promise<{
    error?: NodeJS.ErrnoException;
    code?: number | null;
    signal?: string | null;
  }>((resolve) => {
    const timer = setTimeout(() => resolve({}), OPENER_WAIT_MS);
    timer.unref();
    child.once("error", (error) => {
      clearTimeout(timer);
      resolve({ error });
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  child.unref();
  const why = failure(program, outcome);
  return why === undefined
    ? undefined
    : `${why}; open ${target} yourself, or set FLOWSHIP_OPEN_COMMAND to a program that opens it`;
}
