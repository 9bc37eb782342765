/**
 * 1: what flowship adds to a task. Runs start → foreach over 100 empty tasks → join → end (103
 * tasks) at the default --max-workers in every isolation, in turns with its floor (the same number
 * of bare `node -e ""` processes at the same parallelism) and its peer (Metaflow's run of the same
 * foreach, in the same bench run); and the CPU each task costs (the runtime and everything it
 * started) beside a bare worker thread's, a bare process's and a Metaflow task's.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bareCosts, cpuPerTaskRow, type Isolation, spawnFloor, timedFanout } from "../fanout.js";
import { interleave, median, type Row, type Sampled } from "../measure.js";
import { measureMetaflowFanout, metaflow, metaflowWorkers, runMetaflowFanout } from "../metaflow.js";

const WIDTH = 100;

export async function taskOverhead(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-"));
  const width = options.quick ? 10 : WIDTH;
  const samples = options.quick ? 1 : 5;
  const tasks = width + 3;
  const mf = metaflow(options);
  const cpu: number[] = [];
  const mfCpu: number[] = [];
  const flowship = (isolation: Isolation): Sampled => ({
    samples,
    measure: async () => {
      const timed = await timedFanout(width, root, isolation);
      if (isolation === "host") cpu.push(timed.cpuMs);
      return timed.ms;
    },
  });
  // In turns, so a slow spell of the machine falls on all of them alike; Metaflow warms up on a
  // foreach of 2 (its first run in a fresh venv imports more than the timed ones).
  const [hostMs, processMs, threadMs, floorMs, mfMs] = await interleave([
    flowship("host"),
    flowship("process"),
    flowship("thread"),
    { samples, measure: () => spawnFloor(tasks, 16) },
    {
      samples: "python" in mf ? samples : 0,
      warmUp: async () => "python" in mf && (await runMetaflowFanout(mf, root, 2)),
      measure: measureMetaflowFanout(mf, root, width, mfCpu),
    },
  ]);
  const bare = await bareCosts(options.quick ? 5 : 30);
  const cores = os.cpus().length;
  const floor = `${tasks} bare \`node -e ""\` at parallelism 16`;
  const row = (figure: string, ms: number, target: string, met: boolean | null): Row => ({
    id: 1,
    benchmark: "task overhead",
    figure,
    value: ms / 1000,
    unit: "s",
    baseline: floor,
    baselineValue: floorMs! / 1000,
    ratio: ms / floorMs!,
    target,
    met: options.quick ? null : met,
  });
  const measured = "python" in mf;
  const peer = measured
    ? `Metaflow ${mf.version}, same foreach, --max-workers ${metaflowWorkers()} (the core count), median of ${samples}`
    : "Metaflow, same foreach";
  const cpuPerTask = median(cpu) / tasks;
  fs.rmSync(root, { recursive: true, force: true });
  return [
    row(
      `${tasks} tasks (foreach ${width}), --max-workers 16, default isolation (task hosts: a warm thread, a fresh evaluation of the flow per attempt), ${cores} cores`,
      hostMs!,
      "≤ 1.0× floor",
      hostMs! / floorMs! <= 1.0,
    ),
    row("same, --isolation process (a process per attempt)", processMs!, "(for comparison)", null),
    row(
      "same, --isolation thread (a thread per attempt in the runtime)",
      threadMs!,
      "(for comparison)",
      null,
    ),
    {
      id: 1,
      benchmark: "task overhead",
      figure: `${tasks} tasks (foreach ${width}), default isolation, against Metaflow on ${cores} cores`,
      value: hostMs! / 1000,
      unit: "s",
      baseline: peer,
      baselineValue: measured ? mfMs! / 1000 : null,
      ratio: measured ? hostMs! / mfMs! : null,
      target: "≤ 0.08× Metaflow",
      met: measured ? hostMs! / mfMs! <= 0.08 : null,
      note: measured
        ? `floor ${(floorMs! / 1000).toFixed(2)} s; bench venv ${mf.setupMs < 2000 ? "installed before this run" : `set up in ${(mf.setupMs / 1000).toFixed(0)} s`}`
        : `Metaflow not measured: ${mf.skipped}`,
    },
    cpuPerTaskRow({
      id: 1,
      benchmark: "task overhead",
      width,
      cpuPerTask,
      bare,
      target: "(reported: the run's start-up is in it; ≤ 15 ms is judged at foreach 1000, benchmark 2)",
      met: null,
      metaflowTaskMs: measured ? median(mfCpu) / tasks : undefined,
      skipped: "skipped" in mf ? mf.skipped : undefined,
    }),
  ];
}
