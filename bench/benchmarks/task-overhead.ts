/**
 * 1 and 2: what flowship adds to a task. Benchmark 1 runs start → foreach over 100 empty tasks →
 * join → end (103 tasks) with the default --max-workers in every isolation, against the floor: the
 * same number of bare `node -e ""` processes at the same parallelism; and the CPU each task costs
 * (the runtime and everything it started) beside a bare worker thread's and a bare process's; and
 * Metaflow's own 100-item foreach when Metaflow is installed. Benchmark 2 fans out wide and watches
 * the runtime's memory and descriptors.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { mediansOf, type Row, runMeasured, runWithCpu } from "../measure.js";

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

type Isolation = "host" | "process" | "thread";

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

async function runFanout(width: number, maxWorkers: number | undefined, root: string, isolation: Isolation) {
  const stats = await runMeasured(process.execPath, fanoutArgs(width, maxWorkers, isolation), env(root));
  if (stats.code !== 0) throw new Error(`fan-out run failed:\n${stats.stderr}`);
  return stats;
}

/** Wall and CPU time (runtime and all it started) of one fan-out run. */
async function timedFanout(width: number, root: string, isolation: Isolation) {
  const result = await runWithCpu(process.execPath, fanoutArgs(width, undefined, isolation), env(root));
  if (result.code !== 0) throw new Error(`fan-out run failed:\n${result.stderr}`);
  return result;
}

/** CPU ms of starting and ending one bare worker thread, and one bare `node -e ""` process. */
async function bareCosts(count: number): Promise<{ isolateMs: number; processMs: number }> {
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
  return { isolateMs: (used.user + used.system) / 1000 / count, processMs: processes.cpuMs / count };
}

/** Metaflow's foreach of 100 empty tasks, when Python has Metaflow; else why not. */
async function metaflowFanout(root: string): Promise<{ ms: number } | { skipped: string }> {
  const probe = await runWithCpu("python3", ["-c", "import metaflow"], process.env).catch(() => undefined);
  if (probe?.code !== 0) return { skipped: "Metaflow is not installed (pip install metaflow)" };
  const flowFile = path.join(root, "fanout_flow.py");
  fs.writeFileSync(
    flowFile,
    [
      "from metaflow import FlowSpec, step",
      "class FanoutFlow(FlowSpec):",
      "    @step",
      "    def start(self):",
      "        self.items = list(range(100))",
      "        self.next(self.body, foreach='items')",
      "    @step",
      "    def body(self):",
      "        self.next(self.join)",
      "    @step",
      "    def join(self, inputs):",
      "        self.next(self.end)",
      "    @step",
      "    def end(self):",
      "        pass",
      "if __name__ == '__main__':",
      "    FanoutFlow()",
      "",
    ].join("\n"),
  );
  const result = await runWithCpu("python3", [flowFile, "run", "--max-workers", "16"], {
    ...process.env,
    METAFLOW_HOME: root,
    USERNAME: "bench",
  });
  return result.code === 0
    ? { ms: result.ms }
    : { skipped: `Metaflow's run failed: ${result.stderr.slice(-200)}` };
}

export async function taskOverhead(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-"));
  const width = options.quick ? 10 : 100;
  const runs = options.quick ? 1 : 5;
  const tasks = width + 3;
  // Interleaved, so a slow spell of the machine falls on all of them alike.
  let cpuMs = 0;
  const [hostMs, processMs, threadMs, floorMs] = await mediansOf(runs, [
    async () => {
      const timed = await timedFanout(width, root, "host");
      cpuMs = timed.cpuMs;
      return timed.ms;
    },
    async () => (await timedFanout(width, root, "process")).ms,
    async () => (await timedFanout(width, root, "thread")).ms,
    () => spawnFloor(tasks, 16),
  ]);
  const bare = await bareCosts(options.quick ? 5 : 30);
  const floor = `${tasks} bare \`node -e ""\` at parallelism 16`;
  const row = (figure: string, ms: number, target: string, met: boolean): Row => ({
    id: 1,
    benchmark: "task overhead",
    figure,
    value: ms / 1000,
    unit: "s",
    baseline: floor,
    baselineValue: floorMs / 1000,
    ratio: ms / floorMs,
    target,
    met: options.quick ? null : met,
  });
  const rows: Row[] = [
    row(
      `${tasks} tasks (foreach ${width}), --max-workers 16, default isolation (a fresh thread per attempt in a task host)`,
      hostMs,
      "≤ 1.0× floor",
      hostMs / floorMs <= 1.0,
    ),
    {
      ...row("same, --isolation process (a process per attempt)", processMs, "(for comparison)", true),
      met: null,
    },
    {
      ...row(
        "same, --isolation thread (a thread per attempt in the runtime)",
        threadMs,
        "(for comparison)",
        true,
      ),
      met: null,
    },
    {
      id: 1,
      benchmark: "task overhead",
      figure: "CPU per task, default isolation (runtime, hosts and threads, all included)",
      value: cpuMs / tasks,
      unit: "ms",
      baseline: `a bare worker thread: ${bare.isolateMs.toFixed(0)} ms; a bare \`node -e ""\` process`,
      baselineValue: bare.processMs,
      ratio: cpuMs / tasks / bare.processMs,
      target: "(reported)",
      met: null,
    },
  ];
  const metaflow = options.quick ? { skipped: "quick mode" } : await metaflowFanout(root);
  rows.push({
    id: 1,
    benchmark: "task overhead",
    figure: `${tasks} tasks, default isolation, against Metaflow's foreach of 100`,
    value: hostMs / 1000,
    unit: "s",
    baseline: "Metaflow 100-item foreach, --max-workers 16",
    baselineValue: "ms" in metaflow ? metaflow.ms / 1000 : null,
    ratio: "ms" in metaflow ? hostMs / metaflow.ms : null,
    target: "≤ 0.08× Metaflow",
    met: "ms" in metaflow ? hostMs / metaflow.ms <= 0.08 : null,
    ...("skipped" in metaflow ? { note: `Metaflow not measured: ${metaflow.skipped}` } : {}),
  });
  const wide = options.quick ? 200 : 10_000;
  const stats = await runFanout(wide, 16, root, "host");
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
    baselineValue: tasks / (hostMs / 1000),
    ratio: tasksPerSecond / (tasks / (hostMs / 1000)),
    target: "completes; runtime peak RSS < 300 MB; no fd growth",
    met: options.quick ? null : stats.peakRssMb < 300 && fdGrowth <= 2,
    note: `runtime peak RSS ${stats.peakRssMb.toFixed(0)} MB; open fds first/last ${stats.fds[0]}/${stats.fds.at(-1)}`,
  });
  fs.rmSync(root, { recursive: true, force: true });
  return rows;
}
