/**
 * Running bench/flows/fanout.ts (start → foreach over N empty tasks → join → end) with flowship,
 * and the floors it is measured against: bare `node -e ""` processes and bare worker threads.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { Worker } from "node:worker_threads";
import type { Row } from "./measure.js";
import { runMeasured, runWithCpu } from "./measure.js";

const BIN = path.resolve("bin/flowship.js");
const FLOW = path.resolve("bench/flows/fanout.ts");

export type Isolation = "host" | "process" | "thread";

export function benchEnv(root: string): NodeJS.ProcessEnv {
  return { ...process.env, FLOWSHIP_DATASTORE_ROOT: root, FLOWSHIP_USER: "bench" };
}

function fanoutArgs(width: number, maxWorkers: number | undefined, isolation: Isolation): string[] {
  return [
    BIN,
    FLOW,
    "run",
    "--width",
    String(width),
    "--isolation",
    isolation,
    ...(maxWorkers ? ["--max-workers", String(maxWorkers)] : []),
  ];
}

/** One fan-out run with the runtime's peak RSS and descriptors sampled every `sampleMs`. */
export async function measuredFanout(width: number, maxWorkers: number, root: string, sampleMs = 200) {
  const stats = await runMeasured(
    process.execPath,
    fanoutArgs(width, maxWorkers, "host"),
    benchEnv(root),
    sampleMs,
  );
  if (stats.code !== 0) throw new Error(`fan-out run failed:\n${stats.stderr.slice(-4000)}`);
  return stats;
}

/** Wall and CPU time (runtime and all it started) of one fan-out run at the default --max-workers. */
export async function timedFanout(width: number, root: string, isolation: Isolation) {
  const result = await runWithCpu(process.execPath, fanoutArgs(width, undefined, isolation), benchEnv(root));
  if (result.code !== 0) throw new Error(`fan-out run failed:\n${result.stderr.slice(-4000)}`);
  return result;
}

/** Spawns `count` bare node processes, at most `parallel` at once; resolves with elapsed ms. */
export function spawnFloor(count: number, parallel: number): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    let launched = 0;
    let running = 0;
    let done = 0;
    const launch = () => {
      while (running < parallel && launched < count) {
        launched++;
        running++;
        spawn(process.execPath, ["-e", ""], { stdio: "ignore" }).on("exit", () => {
          running--;
          done++;
          if (done === count) resolve(performance.now() - started);
          else launch();
        });
      }
    };
    launch();
  });
}

let bare: Promise<{ threadMs: number; processMs: number }> | undefined;

/**
 * CPU ms of starting and ending one bare worker thread, and one bare `node -e ""` process; measured
 * once per bench run (`count` of each), for every row that stands beside them.
 */
export function bareCosts(count: number): Promise<{ threadMs: number; processMs: number }> {
  bare ??= (async () => {
    const before = process.cpuUsage();
    for (let i = 0; i < count; i++) {
      await new Promise((resolve) => new Worker("", { eval: true }).on("exit", resolve));
    }
    const used = process.cpuUsage(before);
    const processes = await runWithCpu(
      "bash",
      ["-c", `for i in $(seq ${count}); do "${process.execPath}" -e ""; done`],
      process.env,
    );
    return { threadMs: (used.user + used.system) / 1000 / count, processMs: processes.cpuMs / count };
  })();
  return bare;
}

/**
 * The row of a fan-out's CPU per task (runtime, hosts and threads, start-up included), beside a bare
 * thread's and a bare process's CPU, with a Metaflow task's when Metaflow ran.
 */
export function cpuPerTaskRow(r: {
  id: number;
  benchmark: string;
  width: number;
  cpuPerTask: number;
  bare: { threadMs: number; processMs: number };
  target: string;
  met: boolean | null;
  metaflowTaskMs: number | undefined;
  skipped: string | undefined;
}): Row {
  return {
    id: r.id,
    benchmark: r.benchmark,
    figure: `CPU per task, foreach ${r.width}, default isolation (runtime, hosts and threads, start-up all included)`,
    value: r.cpuPerTask,
    unit: "ms",
    baseline: `a bare worker thread: ${r.bare.threadMs.toFixed(0)} ms; a bare \`node -e ""\` process`,
    baselineValue: r.bare.processMs,
    ratio: r.cpuPerTask / r.bare.processMs,
    target: r.target,
    met: r.met,
    note:
      r.metaflowTaskMs !== undefined
        ? `a Metaflow task: ${r.metaflowTaskMs.toFixed(0)} ms`
        : `Metaflow not measured: ${r.skipped}`,
  };
}
