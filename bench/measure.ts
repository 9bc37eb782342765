/** Small tools for benchmarks: medians, child processes with peak memory, machine facts. */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";

export interface Row {
  id: number;
  benchmark: string;
  figure: string;
  value: number;
  unit: string;
  baseline: string;
  /** null: the baseline could not be measured here (the note says why). */
  baselineValue: number | null;
  ratio?: number | null;
  target: string;
  met: boolean | null;
  note?: string;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `measure` once to warm up, then `runs` times; returns the median. */
export async function medianOf(runs: number, measure: () => Promise<number>): Promise<number> {
  const [value] = await mediansOf(runs, [measure]);
  return value!;
}

/**
 * Like medianOf for several measurements taken in turns (a warm-up round, then `runs` rounds of
 * each in order), so drift of a shared machine spreads over all of them; returns their medians.
 */
export async function mediansOf(runs: number, measures: (() => Promise<number>)[]): Promise<number[]> {
  const values: number[][] = measures.map(() => []);
  for (let round = 0; round <= runs; round++) {
    for (const [i, measure] of measures.entries()) {
      const value = await measure();
      if (round > 0) values[i]!.push(value);
    }
  }
  return values.map(median);
}

/** One measurement of `interleave`: how many samples it takes, and an optional cheaper warm-up. */
export interface Sampled {
  samples: number;
  measure: () => Promise<number>;
  /** Run once before the first round; omitted, the measurement itself is run once and dropped. */
  warmUp?: () => Promise<unknown>;
}

/**
 * Like mediansOf, for measurements that need different numbers of samples (a slow peer fewer):
 * warm-ups first, then rounds in which each measurement still owed a sample takes one, in order,
 * so they alternate for as long as they last. Returns each one's median.
 */
export async function interleave(measures: Sampled[]): Promise<number[]> {
  for (const m of measures) await (m.warmUp ?? m.measure)();
  const values: number[][] = measures.map(() => []);
  const rounds = Math.max(...measures.map((m) => m.samples));
  for (let round = 0; round < rounds; round++) {
    for (const [i, m] of measures.entries()) {
      if (round < m.samples) values[i]!.push(await m.measure());
    }
  }
  return values.map(median);
}

export interface ProcessStats {
  ms: number;
  code: number | null;
  /** Peak resident memory of the process itself (VmHWM), in MB. */
  peakRssMb: number;
  /** Open file descriptors sampled over the run: first and last sample. */
  fds: number[];
  stdout: string;
  stderr: string;
}

/** Runs a command, sampling its peak RSS and open descriptors from /proc while it runs. */
export function runMeasured(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  sampleMs = 200,
): Promise<ProcessStats> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    let peak = 0;
    const fds: number[] = [];
    const sample = () => {
      try {
        const status = fs.readFileSync(`/proc/${child.pid}/status`, "utf8");
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
        peak = Math.max(peak, hwm);
        fds.push(fs.readdirSync(`/proc/${child.pid}/fd`).length);
      } catch {
        // the process is gone
      }
    };
    const timer = setInterval(sample, sampleMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(timer);
      resolve({
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        code,
        peakRssMb: peak,
        fds,
        stdout,
        stderr,
      });
    });
  });
}

/** The machine's facts; `cpus` is the number of cores every figure was measured on. */
export function machine(): Record<string, unknown> {
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    date: new Date().toISOString(),
  };
}

/**
 * Runs a command and returns its wall time and the CPU time (user + system) of it and of every
 * descendant that was waited for — task processes and task hosts included — from bash's `times`.
 */
export function runWithCpu(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
): Promise<{ ms: number; cpuMs: number; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("bash", ["-c", '"$@" 3>&-; s=$?; times >&3; exit $s', "bash", command, ...args], {
      cwd,
      env,
      stdio: ["ignore", "ignore", "pipe", "pipe"],
    });
    let stderr = "";
    let times = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (d) => {
      times += d;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      // `times`: the shell's own user/sys, then its children's: "0m3.880s 0m0.760s".
      const children = times.trim().split("\n")[1] ?? "";
      const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
      resolve({ ms: performance.now() - started, cpuMs: (seconds[0]! + seconds[1]!) * 1000, code, stderr });
    });
  });
}
