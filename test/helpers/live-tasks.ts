/**
 * Finds the task processes and task hosts of a run still alive on this machine, by the FLOWSHIP_TASK
 * spec or the FLOWSHIP_TASK_HOST_OF run in their environment (Linux /proc), to prove that tasks do
 * not outlive a killed runtime. A run's first host, started by the CLI before the run had an id,
 * names its runtime's pid instead (`pid:<pid>`, src/runtime/early-host.ts).
 */
import fs from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";

function environOf(pid: string): string {
  try {
    return fs.readFileSync(`/proc/${pid}/environ`, "latin1");
  } catch {
    return ""; // gone, or not ours
  }
}

/** Pids of live processes whose task spec names `runId`, or task hosts of it or of `runtimePid`. */
export function liveTasksOf(runId: string, runtimePid?: number): string[] {
  const marker = `"runId":${JSON.stringify(runId)}`;
  const hostOf = new RegExp(`^FLOWSHIP_TASK_HOST_OF=[^/]+/${runId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  const earlyHostOf = runtimePid === undefined ? undefined : `FLOWSHIP_TASK_HOST_OF=pid:${runtimePid}`;
  return fs
    .readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid) && pid !== String(process.pid))
    .filter((pid) => {
      const entries = environOf(pid).split("\0");
      const variable = entries.find((entry) => entry.startsWith("FLOWSHIP_TASK="));
      return (
        variable?.includes(marker) === true ||
        entries.some((entry) => hostOf.test(entry) || entry === earlyHostOf)
      );
    });
}

/**
 * Waits until no task of `runId` (or host of the runtime `runtimePid`) is alive; returns those
 * still alive after `limitMs` (a safety net).
 */
export async function waitForTasksToDie(
  runId: string,
  runtimePid?: number,
  limitMs = 10_000,
): Promise<string[]> {
  for (let waited = 0; ; waited += 25) {
    const alive = liveTasksOf(runId, runtimePid);
    if (alive.length === 0 || waited >= limitMs) return alive;
    await sleep(25);
  }
}
