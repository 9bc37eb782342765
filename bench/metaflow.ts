/**
 * Metaflow, the peer of benchmarks 1 and 2: installed (pinned) by scripts/bench-setup.sh into the
 * bench's own venv, and run on bench/flows/fanout.py, the twin of bench/flows/fanout.ts, in the same
 * bench run.
 */
import { spawnSync } from "node:child_process";
import os from "node:os";
import path from "node:path";
import { runWithCpu } from "./measure.js";

const VENV = path.resolve("node_modules/.cache/flowship-bench-venv");

/** Metaflow ready to run, or why it is not measured (the rows print the reason). */
export type Metaflow = { python: string; version: string; setupMs: number } | { skipped: string };

let installed: Metaflow | undefined;

/**
 * Runs the bench setup once per bench run (a no-op when the venv matches the lock). Quick mode
 * never installs: `npm test` runs it and must stay fast and offline.
 */
export function metaflow(options: { quick: boolean }): Metaflow {
  if (options.quick) return { skipped: "quick mode: Metaflow is measured by `npm run bench` only" };
  if (installed) return installed;
  process.stderr.write("bench setup: Metaflow, the peer of benchmarks 1 and 2…\n");
  const started = performance.now();
  // Its progress goes to stderr with the bench's own: stdout carries the table alone.
  const setup = spawnSync("bash", ["scripts/bench-setup.sh"], { stdio: ["ignore", 2, 2] });
  const setupMs = performance.now() - started;
  const python = path.join(VENV, "bin", "python");
  const probe = spawnSync(python, ["-c", "import metaflow; print(metaflow.__version__)"], {
    encoding: "utf8",
  });
  installed =
    setup.status === 0 && probe.status === 0
      ? { python, version: probe.stdout.trim(), setupMs }
      : { skipped: `the bench setup failed (bash scripts/bench-setup.sh exited ${setup.status})` };
  return installed;
}

/** Metaflow's best --max-workers here: one task per core (the issue measured 2 on 2 cores, 16 on 16). */
export function metaflowWorkers(): number {
  return Math.max(1, os.cpus().length);
}

const FLOW = path.resolve("bench/flows/fanout.py");

/**
 * One Metaflow run of bench/flows/fanout.py: wall ms and CPU ms of it and every task it started.
 * Its local datastore and metadata go to `root`; `--max-num-splits` is raised to the width
 * (Metaflow refuses a foreach over 100 by default).
 */
export async function runMetaflowFanout(
  mf: { python: string },
  root: string,
  width: number,
): Promise<{ ms: number; cpuMs: number }> {
  const args = [FLOW, "--no-pylint", "run", "--width", String(width)];
  args.push("--max-workers", String(metaflowWorkers()), "--max-num-splits", String(Math.max(100, width)));
  const result = await runWithCpu(
    mf.python,
    args,
    {
      ...process.env,
      METAFLOW_HOME: root,
      METAFLOW_DEFAULT_DATASTORE: "local",
      METAFLOW_DEFAULT_METADATA: "local",
      METAFLOW_DATASTORE_SYSROOT_LOCAL: root,
      USERNAME: "bench",
    },
    root,
  );
  if (result.code !== 0) throw new Error(`Metaflow's run failed:\n${result.stderr.slice(-2000)}`);
  return result;
}

/**
 * The `measure` of a Metaflow side in the bench's turns: one fan-out run's wall ms, its CPU ms
 * pushed onto `cpu`; NaN when Metaflow is not installed.
 */
export function measureMetaflowFanout(
  mf: Metaflow,
  root: string,
  width: number,
  cpu: number[],
): () => Promise<number> {
  return async () => {
    if (!("python" in mf)) return Number.NaN;
    const run = await runMetaflowFanout(mf, root, width);
    cpu.push(run.cpuMs);
    return run.ms;
  };
}
