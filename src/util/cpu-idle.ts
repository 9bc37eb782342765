/**
 * How idle this machine's CPUs were since the previous sample, from the tick counts os.cpus() reports
 * (on Linux, /proc/stat).
 */
import os from "node:os";

interface Ticks {
  idle: number;
  total: number;
}

function ticks(): Ticks {
  let idle = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    idle += t.idle;
    total += t.user + t.nice + t.sys + t.idle + t.irq;
  }
  return { idle, total };
}

export class CpuIdleSampler {
  #last = ticks();

  /** The idle share (0…1) since the previous call, or since the sampler was made. */
  sample(): number {
    const now = ticks();
    const total = now.total - this.#last.total;
    const idle = now.idle - this.#last.idle;
    this.#last = now;
    // No tick passed (two samples within a few ms): nothing to say, call it busy.
    return total > 0 ? idle / total : 0;
  }
}
