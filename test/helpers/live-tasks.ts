/**
 * Finds the task processes and task hosts of a run still alive on this machine, by the FLOWSHIP_TASK
 * spec or the FLOWSHIP_TASK_HOST_OF run in their environment (Linux /proc), to prove that tasks do
 * not outlive a killed runtime.
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

/** Pids of live processes whose task spec names `runId`. */
export function liveTasksOf(runId: string): string[] {
  const marker = `"runId":${JSON.stringify(runId)}`;
  const hostOf = new RegExp(`^FLOWSHIP_TASK_HOST_OF=[^/]+/${runId.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`);
  return fs
    .readdirSync("/proc")
    .filter((pid) => /^\d+$/.test(pid) && pid !== String(process.pid))
    .filter((pid) => {
      const entries = environOf(pid).split("\0");
      const variable = entries.find((entry) => entry.startsWith("FLOWSHIP_TASK="));
      return variable?.includes(marker) === true || entries.some((entry) => hostOf.test(entry));
    });
}

/** Waits until no task of `runId` is alive; returns those still alive after `limitMs` (a safety net). */
export async function waitForTasksToDie(runId: string, limitMs = 10_000): Promise<string[]> {
  for (let waited = 0; ; waited += 25) {
    const alive = liveTasksOf(runId);
    if (alive.length === 0 || waited >= limitMs) return alive;
    await sleep(25);
  }
}
