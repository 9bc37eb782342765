/**
 * What makes sure no process a step started outlives its attempt or its run, even when the
 * runtime is SIGKILLed (Linux only: it needs /proc).
 *
 * The kernel's parent-death signal (setpriv --pdeathsig, task-process.ts) kills a task process or
 * a task host when the runtime dies, but only that one process: what the step started is
 * re-parented to init and goes on. A subreaper (PR_SET_CHILD_SUBREAPER) would keep them, but Node
 * cannot call prctl without native code; cgroups need a writable /sys/fs/cgroup, which containers
 * rarely give. So flowship marks instead, and a watcher outside the runtime kills what it marked:
 *
 * - Every attempt's environment holds `FLOWSHIP_RUN_MARK=<run token>.<attempt>.` (task hosts hold
 *   `<run token>.host.`). Environments are inherited, and a step that gives a subprocess an
 *   environment of its own gets the mark added (task/subprocess-mark.ts), so every process of the
 *   attempt's tree carries it, also one that left its process group (setsid), however deep.
 * - The watcher is a small /bin/sh script started in a session of its own (so Ctrl-C or a kill of
 *   the runtime's process group does not reach it). Its stdin is a pipe from the runtime, which
 *   it reads line by line: each line is a mark whose processes to kill now (an attempt that died
 *   without recording its end: a killed host, a timeout, a stopped run). When the pipe closes —
 *   the run ended, or the runtime died, even by SIGKILL — it kills every process that carries the
 *   run's mark, and the process groups they are in (which takes along what cleared its
 *   environment while it stayed in the group, e.g. a program started with `env -i`), except the
 *   runtime's own group, which may hold the user's shell pipeline.
 * - It finds marked processes by their /proc/<pid>/environ (one grep over all of them), and goes
 *   over them again until none is left, so a process forked during a pass is caught by the next.
 *
 * A process can escape only by both clearing its environment outside Node and leaving its process
 * group, or by running as another user.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { RUN_MARK_VARIABLE } from "../config.js";

// $1: the variable's name, $2: the run's mark. `reap MARK GROUPS` kills every process whose
// environment holds NAME=MARK… and, when GROUPS is 1, the process groups they are in.
const WATCHER = `
name=$1 run=$2
# group_of STAT: the process group in a line of /proc/<pid>/stat (fields after "(command) ").
group_of() { set -- \${1##*) }; group=$3; }
read -r stat < /proc/$PPID/stat
group_of "$stat"
keep=$group
reap() {
  pass=0
  while [ $pass -lt 50 ]; do
    found=
    for file in $(grep -l -s -F -e "$name=$1" /proc/[0-9]*/environ); do
      pid=\${file#/proc/}
      pid=\${pid%/environ}
      [ "$pid" = "$$" ] && continue
      if [ "$2" = 1 ] && read -r stat < "/proc/$pid/stat"; then
        group_of "$stat"
        if [ "$group" -gt 1 ] && [ "$group" != "$keep" ] && [ "$group" != "$$" ]; then
          kill -s KILL -- "-$group"
        fi
      fi
      kill -s KILL "$pid"
      found=1
    done 2>/dev/null
    [ -z "$found" ] && return
    pass=$((pass + 1))
  done
}
while IFS= read -r mark; do reap "$mark" 0; done
reap "$run" 1
`;

const SHELL = "/bin/sh";

/** How long the end of a run waits for the watcher's last sweep. */
const CLOSE_WAIT_MS = 2000;

export class RunReaper {
  readonly #child: ChildProcess;
  readonly #token: string;
  readonly #gone: Promise<void>;
  #attempts = 0;

  private constructor(child: ChildProcess, token: string) {
    this.#child = child;
    this.#token = token;
    this.#gone = new Promise((resolve) => child.once("close", () => resolve()));
    // Neither the watcher nor its pipe keeps the runtime alive.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    // A watcher that is gone (killed from outside) must not fail the run when written to.
    child.stdin?.on("error", () => {});
    child.on("error", () => {});
  }

  /** The watcher of a new run, or undefined where there is no /proc to find processes in. */
  static start(): RunReaper | undefined {
    if (process.platform !== "linux" || !fs.existsSync("/proc/self/environ") || !fs.existsSync(SHELL)) {
      return undefined;
    }
    const token = randomBytes(12).toString("hex");
    const env = { ...process.env };
    // Not marked itself: the watcher of an outer run (this runtime may be a step's subprocess)
    // must not kill this one before it has done its work.
    delete env[RUN_MARK_VARIABLE];
    const child = spawn(SHELL, ["-c", WATCHER, "flowship-reaper", RUN_MARK_VARIABLE, `${token}.`], {
      env,
      stdio: ["pipe", "ignore", "ignore"],
      detached: true,
    });
    return new RunReaper(child, token);
  }

  /** The mark of a task host: the whole run's, so the last sweep finds it. */
  get hostMark(): string {
    return `${this.#token}.host.`;
  }

  /** A mark of its own for the next attempt (the trailing dot keeps `.1.` from matching `.12.`). */
  nextAttemptMark(): string {
    return `${this.#token}.${this.#attempts++}.`;
  }

  /** Kills, soon, every process that carries `mark`: its attempt is over without having ended itself. */
  reap(mark: string): void {
    if (this.#child.stdin?.writable) this.#child.stdin.write(`${mark}\n`);
  }

  /** The run is over: the watcher kills what is left of it and exits; waits (briefly) for that. */
  async close(): Promise<void> {
    // Waited for now: the run does not end before its last sweep.
    this.#child.ref();
    this.#child.stdin?.end();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#gone, new Promise((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)))]);
    clearTimeout(timer);
  }
}
