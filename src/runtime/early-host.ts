/**
 * The first task host of `flowship <flow file> run`, started as the CLI starts rather than once the
 * run has an id: its Node start (~70 ms here) then overlaps the CLI's own start, reading the flow and
 * preparing the run, which come before any task can (docs/performance.md, "Run start, third pass").
 *
 * The run's watcher (run-reaper.ts) starts first, as always before any host: the host carries its
 * mark. Until a run takes them (`takeEarlyHost`), neither keeps the CLI alive, so a command line
 * refused before the run starts exits as it did; the host follows it out (its stdin closes, and the
 * watcher's last sweep finds its mark). Since its run id did not exist yet, the host's environment
 * names its runtime instead: `FLOWSHIP_TASK_HOST_OF=pid:<runtime pid>`.
 */
import type { ChildProcess } from "node:child_process";
import { RunReaper } from "./run-reaper.js";
import { builtTaskHost, spawnTaskHost } from "./task-host-spawn.js";

export interface EarlyHost {
  /** The run's watcher, undefined where there is none (no /proc). */
  reaper: RunReaper | undefined;
  host: ChildProcess;
}

let early: EarlyHost | undefined;

/** Whether `argv` (after `flowship`) asks for a local run whose tasks run in task hosts. */
export function runsInTaskHosts(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  const [file, command] = argv;
  if (file === undefined || file.startsWith("-")) return false;
  // `flowship flow.ts run …`, or global options between the file and the command.
  if (command !== "run" && !(command?.startsWith("-") && argv.includes("run"))) return false;
  if (argv.some((arg) => arg === "-h" || arg === "--help" || arg === "-V" || arg === "--version"))
    return false;
  // The last --isolation given, as the option parser takes it when the flag is repeated.
  let given: string | undefined;
  argv.forEach((arg, i) => {
    if (arg === "--isolation") given = argv[i + 1];
    else if (arg.startsWith("--isolation=")) given = arg.slice("--isolation=".length);
  });
  return (given ?? env.FLOWSHIP_ISOLATION ?? "host") === "host";
}

/** Starts the watcher and the first host when `argv` is such a run and the host program is built. */
export function startEarlyHost(argv: readonly string[]): void {
  if (early || !runsInTaskHosts(argv, process.env)) return;
  const program = builtTaskHost();
  if (!program) return;
  const reaper = RunReaper.start();
  const host = spawnTaskHost(program, `pid:${process.pid}`, reaper?.hostMark);
  // A host that failed to start is found exited when taken; an unheard "error" would throw.
  host.on("error", () => {});
  holdsRuntime(host, false);
  early = { reaper, host };
}

/** The watcher and host started early, once: the run that takes them owns them from now on. */
export function takeEarlyHost(): EarlyHost | undefined {
  const taken = early;
  early = undefined;
  if (taken) holdsRuntime(taken.host, true);
  return taken;
}

/** Whether the host's process, its pipes and its message channel keep this process running. */
function holdsRuntime(host: ChildProcess, hold: boolean): void {
  const handles = [host, host.channel, host.stdin, host.stdout, host.stderr] as (
    | {
        ref?: () => void;
        unref?: () => void;
      }
    | null
    | undefined
  )[];
  for (const handle of handles) (hold ? handle?.ref : handle?.unref)?.call(handle);
}
