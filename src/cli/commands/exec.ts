/**
 * `flowship exec <script> [args…]`: runs a TypeScript or JavaScript file that uses the Client API
 * (or anything else) from any folder, the way a flow file runs: `flowship` and `flowship/client`
 * resolve to this flowship, TypeScript and top-level await work whatever the folder's package.json
 * says, and stack traces point at the script's own lines.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { userCacheRoot } from "../../config.js";
import { isFlowshipError, UsageError } from "../../errors.js";
import { EXIT, reportError } from "../../report-error.js";
import { compileFlow } from "../../run/compile-flow.js";
import { codeDir } from "../../runtime/load-flow.js";

const HELP = `Usage: flowship exec <script> [args...]

Runs a .ts/.mts/.js/.mjs script, typically one that reads runs with the Client API:

  import { Flow } from "flowship/client";
  const run = await (await Flow.get("Playlist")).latestSuccessfulRun();
  console.log(await run?.data?.playlist);

'flowship' and 'flowship/client' resolve to this flowship, so nothing needs to be installed
beside the script; TypeScript and top-level await work in any folder. The script sees
process.argv as [node, <script>, ...args]. It ends as 'node script' would: once nothing is left
for it to do (timers, sockets and promises settled, what its beforeExit handlers start done).
Exit code: the script's (process.exitCode, or process.exit(n)), 1 if it throws or leaves a
promise rejection unhandled.
`;

export async function runExec(argv: string[]): Promise<number> {
  const [script, ...args] = argv;
  if (script === undefined || script === "--help" || script === "-h") {
    process.stdout.write(HELP);
    return script === undefined ? EXIT.usage : EXIT.ok;
  }
  if (script.startsWith("-")) {
    return reportError(
      new UsageError(`Expected a script before '${script}': flowship exec <script> [args...].`),
    );
  }
  let bundle: string;
  try {
    ({ bundle } = await compileFlow({ file: script, outDir: codeDir(userCacheRoot()), kind: "script" }));
  } catch (error) {
    return reportError(error);
  }
  process.argv = [process.execPath, path.resolve(script), ...args];
  process.setSourceMapsEnabled(true);
  try {
    await import(pathToFileURL(bundle).href);
  } catch (error) {
    // The script's own error: shown as node shows it (flowship's errors, e.g. a run not found, in one line).
    if (isFlowshipError(error)) return reportError(error);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT.failure;
  }
  // As `node script`: the script is over when nothing is left for it to do (its timers, sockets
  // and promises settled), not when its top level returns — `main().catch(…)` has barely started
  // then. An unhandled rejection or an uncaught exception ends the process as node would.
  await scriptOver();
  return exitCodeSet() ?? EXIT.ok;
}

/**
 * Resolves at a `beforeExit` after which the loop stays empty. A handler of the script's may
 * schedule more work there (a last flush); node then runs it and emits `beforeExit` again, so
 * the script is over only once the handlers leave nothing more to do than before they ran.
 */
function scriptOver(): Promise<void> {
  return new Promise((resolve) => {
    let before = 0;
    const probe = () => {
      before = process.getActiveResourcesInfo().length;
    };
    const check = () => {
      if (process.getActiveResourcesInfo().length > before) return;
      process.off("beforeExit", probe);
      process.off("beforeExit", check);
      resolve();
    };
    process.prependListener("beforeExit", probe);
    process.on("beforeExit", check);
  });
}

/** process.exitCode as node reads it at exit (a number, or a string of one). */
function exitCodeSet(): number | undefined {
  const code = Number(process.exitCode);
  return process.exitCode !== undefined && Number.isInteger(code) ? code : undefined;
}
