/**
 * A run's status from its records. A run that has no end record either is still running or its
 * runtime died before it could write one; the two are told apart by checking whether the
 * runtime's process is alive, which is only possible on the host that started it.
 */
import os from "node:os";
import type { RunEndRecord, RunRecord, RunStatus } from "./records-types.js";

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * `succeeded` or `failed` from the end record; without one, `killed` when the local runtime
 * that drove the run is gone, else `running` (also for runs driven from another host).
 */
export function runStatus(run: RunRecord, end: RunEndRecord | undefined): RunStatus {
  if (end) return end.status;
  if (run.runtime === "local" && run.host === os.hostname() && !processAlive(run.pid)) return "killed";
  return "running";
}
