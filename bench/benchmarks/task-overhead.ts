/**
 * 1 and 2: what flowship adds to a task. Benchmark 1 runs start → foreach over 100 empty tasks →
 * join → end (103 tasks) with the default --max-workers, against the floor: the same number of
 * bare `node -e ""` processes at the same parallelism. Benchmark 2 fans out wide and watches the
 * runtime's memory and descriptors.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mediansOf, type Row, runMeasured } from "../measure.js";

const BIN = path.resolve("bin/flowship.js");
const FLOW = path.resolve("bench/flows/fanout.ts");

function env(root: string): NodeJS.ProcessEnv {
  return { ...process.env, FLOWSHIP_DATASTORE_ROOT: root, FLOWSHIP_USER: "bench" };
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

async function runFanout(
  width: number,
  maxWorkers: number | undefined,
  root: string,
  isolation: "process" | "thread" = "process",
) {
  const args = [
    BIN,
    FLOW,
    "run",
    "--width",
    String(width),
    "--isolation",
    isolation,
    ...(maxWorkers ? ["--max-workers", String(maxWorkers)] : []),
  ];
  const stats = await runMeasured(process.execPath, args, env(root));
  if (stats.code !== 0) throw new Error(`fan-out run failed:\n${stats.stderr}`);
  return stats;
}

export async function taskOverhead(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-"));
  const width = options.quick ? 10 : 100;
  const runs = options.quick ? 1 : 5;
  const tasks = width + 3;
  // Interleaved, so a slow spell of the machine falls on all three alike.
  const [flowMs, threadMs, floorMs] = await mediansOf(runs, [
    async () => (await runFanout(width, undefined, root)).ms,
    async () => (await runFanout(width, undefined, root, "thread")).ms,
    () => spawnFloor(tasks, 16),
  ]);
  const floor = `${tasks} bare \`node -e ""\` at parallelism 16`;
  const rows: Row[] = [
    {
      id: 1,
      benchmark: "task overhead",
      figure: `${tasks} tasks (foreach ${width}), --max-workers 16, a process per task (default)`,
      value: flowMs / 1000,
      unit: "s",
      baseline: floor,
      baselineValue: floorMs / 1000,
      ratio: flowMs / floorMs,
      target: "≤ 1.5× floor (≤ 3 s: next row)",
      met: options.quick ? null : flowMs / floorMs <= 1.5,
    },
    {
      id: 1,
      benchmark: "task overhead",
      figure: `same, --isolation thread (a worker thread per task)`,
      value: threadMs / 1000,
      unit: "s",
      baseline: floor,
      baselineValue: floorMs / 1000,
      ratio: threadMs / floorMs,
      target: "≤ 1.5× floor and ≤ 3 s",
      met: options.quick ? null : threadMs / floorMs <= 1.5 && threadMs <= 3000,
    },
  ];
  const wide = options.quick ? 200 : 10_000;
  const stats = await runFanout(wide, 16, root);
  const tasksPerSecond = (wide + 3) / (stats.ms / 1000);
  const fdGrowth =
    stats.fds.length > 1 ? stats.fds.at(-1)! - stats.fds[Math.min(5, stats.fds.length - 1)]! : 0;
  rows.push({
    id: 2,
    benchmark: "wide fan-out",
    figure: `foreach ${wide}, --max-workers 16: tasks/s`,
    value: tasksPerSecond,
    unit: "tasks/s",
    baseline: "tasks/s of benchmark 1",
    baselineValue: tasks / (flowMs / 1000),
    ratio: tasksPerSecond / (tasks / (flowMs / 1000)),
    target: "completes; runtime peak RSS < 300 MB; no fd growth",
    met: options.quick ? null : stats.peakRssMb < 300 && fdGrowth <= 2,
    note: `runtime peak RSS ${stats.peakRssMb.toFixed(0)} MB; open fds first/last ${stats.fds[0]}/${stats.fds.at(-1)}`,
  });
  fs.rmSync(root, { recursive: true, force: true });
  return rows;
}
