/**
 * How a task host process is started (task-host-pool.ts lends them; early-host.ts starts a run's
 * first one as the CLI starts). Node built-ins and config only: the CLI's entry loads this before
 * anything else of flowship.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { RUN_MARK_VARIABLE, taskNodeArgs } from "../config.js";

/** As for task processes (task-process.ts): the kernel kills a host when the runtime dies. */
const SETPRIV = ["/usr/bin/setpriv", "/bin/setpriv"].find((file) => fs.existsSync(file));

/**
 * The host program `npm run build` bundles beside dist/ (scripts/build-task-host.ts), when this
 * code runs from dist/ and the file is there: built with the code that lends the hosts, so they
 * agree. From the sources (tsx), hosts run a program compiled on first use (task-host-program.ts).
 */
export function builtTaskHost(): string | undefined {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith(".js")) return undefined;
  const program = fileURLToPath(new URL("../task-host.cjs", import.meta.url));
  return fs.existsSync(program) ? program : undefined;
}

/**
 * Starts a host running `program`. `label` says whose it is in its environment, for `ps e` and the
 * tests that prove no host outlives its runtime: `<flow>/<run id>`, or `pid:<runtime pid>` for one
 * started before its run had an id (early-host.ts). `mark` is the run's, by which the run's watcher
 * finds it (run-reaper.ts).
 */
export function spawnTaskHost(program: string, label: string, mark: string | undefined): ChildProcess {
  const args = [...taskNodeArgs(), program];
  const [command, commandArgs] = SETPRIV
    ? [SETPRIV, ["--pdeathsig", "KILL", "--", process.execPath, ...args]]
    : [process.execPath, args];
  return spawn(command, commandArgs, {
    env: { ...process.env, FLOWSHIP_TASK_HOST_OF: label, ...(mark ? { [RUN_MARK_VARIABLE]: mark } : {}) },
    // stdin stays open and silent: it closes when this runtime dies, and the host follows.
    stdio: ["pipe", "pipe", "pipe", "ipc"],
    serialization: "advanced",
    // Its own process group: what an attempt starts can be killed with it, and found (pgrp).
    detached: true,
  });
}
