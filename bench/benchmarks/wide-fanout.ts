/**
 * 2: wide foreaches. A foreach of 1,000 in turns with Metaflow's (its --max-num-splits raised): the
 * ratio, and the CPU per task once the run's start-up is spread thin; a foreach of 10,000 for
 * tasks/s (beside bare processes started at the same parallelism) and the runtime's memory and
 * descriptors; with `--huge`, a foreach of 100,000 for the runtime's memory.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bareCosts, cpuPerTaskRow, measuredFanout, spawnFloor, timedFanout } from "../fanout.js";
import { interleave, median, type Row } from "../measure.js";
import { measureMetaflowFanout, metaflow, metaflowWorkers } from "../metaflow.js";

/** The issue's tasks/s target: 100 on 2 cores, 800 on 16, so 50 a core. */
const TASKS_PER_SECOND_PER_CORE = 50;
const MAX_RSS_MB = 300;

export interface WideOptions {
  quick: boolean;
  /** Also run a foreach of 100,000 (tens of minutes on 2 cores): `--huge`. */
  huge?: boolean;
}

export async function wideFanout(options: WideOptions): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-wide-"));
  const cores = os.cpus().length;
  const rows = [...(await versusMetaflow(root, options)), ...(await wide(root, options, cores))];
  if (options.huge && !options.quick) rows.push(await huge(root, cores));
  fs.rmSync(root, { recursive: true, force: true });
  return rows;
}

/** Foreach 1,000: flowship and Metaflow in turns; Metaflow (minutes a run on 2 cores) fewer times. */
async function versusMetaflow(root: string, options: WideOptions): Promise<Row[]> {
  const width = options.quick ? 10 : 1000;
  const tasks = width + 3;
  const cores = os.cpus().length;
  const mf = metaflow(options);
  const mfSamples = "python" in mf ? (cores >= 8 ? 3 : 1) : 0;
  const samples = options.quick ? 1 : 3;
  const cpu: number[] = [];
  const mfCpu: number[] = [];
  const nothing = async () => undefined;
  // Benchmark 1 ran both on a foreach of 100 already (warm caches): no warm-up runs here.
  const [ms, mfMs] = await interleave([
    {
      samples,
      warmUp: nothing,
      measure: async () => {
        const run = await timedFanout(width, root, "host");
        cpu.push(run.cpuMs);
        return run.ms;
      },
    },
    {
      samples: mfSamples,
      warmUp: nothing,
      measure: measureMetaflowFanout(mf, root, width, mfCpu),
    },
  ]);
  const bare = await bareCosts(options.quick ? 5 : 30);
  const cpuPerTask = median(cpu) / tasks;
  const measured = "python" in mf;
  return [
    {
      id: 2,
      benchmark: "wide fan-out",
      figure: `${tasks} tasks (foreach ${width}), default isolation and --max-workers, against Metaflow on ${cores} cores`,
      value: ms! / 1000,
      unit: "s",
      baseline: measured
        ? `Metaflow ${mf.version}, same foreach, --max-workers ${metaflowWorkers()} (the core count), --max-num-splits ${width}`
        : "Metaflow, same foreach",
      baselineValue: measured ? mfMs! / 1000 : null,
      ratio: measured ? ms! / mfMs! : null,
      target: "(reported)",
      met: null,
      note: measured
        ? `flowship median of ${samples}, Metaflow ${mfSamples === 1 ? "1 run" : `median of ${mfSamples}`} (minutes a run)`
        : `Metaflow not measured: ${mf.skipped}`,
    },
    cpuPerTaskRow({
      id: 2,
      benchmark: "wide fan-out",
      width,
      cpuPerTask,
      bare,
      target: "≤ 15 ms",
      met: options.quick ? null : cpuPerTask <= 15,
      metaflowTaskMs: measured ? median(mfCpu) / tasks : undefined,
      skipped: "skipped" in mf ? mf.skipped : undefined,
    }),
  ];
}

/** Foreach 10,000 at --max-workers 16: tasks/s against bare processes, and the runtime's memory. */
async function wide(root: string, options: WideOptions, cores: number): Promise<Row[]> {
  const width = options.quick ? 200 : 10_000;
  const floorCount = options.quick ? 5 : 300;
  const floorPerSecond = floorCount / ((await spawnFloor(floorCount, 16)) / 1000);
  const smallWidth = options.quick ? 2 : 100;
  const small = await measuredFanout(smallWidth, 16, root);
  const stats = await measuredFanout(width, 16, root);
  const tasksPerSecond = (width + 3) / (stats.ms / 1000);
  const target = TASKS_PER_SECOND_PER_CORE * cores;
  const fdGrowth =
    stats.fds.length > 1 ? stats.fds.at(-1)! - stats.fds[Math.min(5, stats.fds.length - 1)]! : 0;
  return [
    {
      id: 2,
      benchmark: "wide fan-out",
      figure: `foreach ${width}, --max-workers 16, on ${cores} cores: tasks/s`,
      value: tasksPerSecond,
      unit: "tasks/s",
      baseline: 'bare `node -e ""` processes a second, 16 at a time',
      baselineValue: floorPerSecond,
      ratio: tasksPerSecond / floorPerSecond,
      target: `≥ ${target} tasks/s (${TASKS_PER_SECOND_PER_CORE} a core: 100 on 2 cores, 800 on 16)`,
      met: options.quick ? null : tasksPerSecond >= target,
    },
    {
      id: 2,
      benchmark: "wide fan-out",
      figure: `foreach ${width}: the runtime's peak RSS`,
      value: stats.peakRssMb,
      unit: "MB",
      baseline: `the runtime's peak RSS at foreach ${smallWidth}`,
      baselineValue: small.peakRssMb,
      ratio: stats.peakRssMb / small.peakRssMb,
      target: `< ${MAX_RSS_MB} MB; no fd growth`,
      met: options.quick ? null : stats.peakRssMb < MAX_RSS_MB && fdGrowth <= 2,
      note: `open fds first/last ${stats.fds[0]}/${stats.fds.at(-1)}; 100,000 items: --huge`,
    },
  ];
}

/** `--huge`: a foreach of 100,000, one run; the runtime's memory must stay under 300 MB. */
async function huge(root: string, cores: number): Promise<Row> {
  const width = 100_000;
  const small = await measuredFanout(100, 16, root);
  const stats = await measuredFanout(width, 16, root, 1000);
  return {
    id: 2,
    benchmark: "wide fan-out",
    figure: `foreach ${width} (--huge), --max-workers 16: the runtime's peak RSS`,
    value: stats.peakRssMb,
    unit: "MB",
    baseline: "the runtime's peak RSS at foreach 100",
    baselineValue: small.peakRssMb,
    ratio: stats.peakRssMb / small.peakRssMb,
    target: `≤ ${MAX_RSS_MB} MB`,
    met: stats.peakRssMb <= MAX_RSS_MB,
    note: `${((width + 3) / (stats.ms / 1000)).toFixed(0)} tasks/s on ${cores} cores; open fds first/last ${stats.fds[0]}/${stats.fds.at(-1)}`,
  };
}
