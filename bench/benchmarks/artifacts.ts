/**
 * 3: storing and loading a 1 GB Float64Array and a 100 MB nested object, against plain fs of the
 * same bytes. Each measurement runs in a fresh process so its peak memory is its own.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, type Row, runMeasured } from "../measure.js";

async function measure(mode: "flowship" | "raw", kind: "typed" | "nested", megabytes: number) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-io-"));
  // Each measurement starts with no dirty pages of the one before waiting to be flushed.
  spawnSync("sync");
  try {
    const stats = await runMeasured(
      process.execPath,
      ["--import", "tsx", "bench/artifact-io.ts", mode, kind, String(megabytes), dir],
      process.env,
    );
    if (stats.code !== 0) throw new Error(stats.stderr);
    return JSON.parse(stats.stdout) as {
      bytes: number;
      storeMs: number;
      loadMs: number;
      secondStoreMs?: number;
      peakRssMb: number;
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function artifacts(options: { quick: boolean }): Promise<Row[]> {
  const rows: Row[] = [];
  const runs = options.quick ? 1 : 7;
  for (const [kind, megabytes, label] of [
    ["typed", options.quick ? 16 : 1024, "Float64Array"],
    ["nested", options.quick ? 4 : 100, "nested object"],
  ] as const) {
    const ours = [];
    const raw = [];
    // A warm-up pair, then pairs in alternating order: whichever goes second meets the page
    // cache the first one left, so neither always does.
    await measure("flowship", kind, megabytes);
    await measure("raw", kind, megabytes);
    for (let i = 0; i < runs; i++) {
      if (i % 2 === 0) {
        ours.push(await measure("flowship", kind, megabytes));
        raw.push(await measure("raw", kind, megabytes));
      } else {
        raw.push(await measure("raw", kind, megabytes));
        ours.push(await measure("flowship", kind, megabytes));
      }
    }
    const bytes = ours[0]!.bytes;
    const throughput = (ms: number) => bytes / 2 ** 20 / (ms / 1000);
    const ourStore = throughput(median(ours.map((o) => o.storeMs)));
    const rawStore = throughput(median(raw.map((r) => r.storeMs)));
    const ourLoad = throughput(median(ours.map((o) => o.loadMs)));
    const rawLoad = throughput(median(raw.map((r) => r.loadMs)));
    const peak = Math.max(...ours.map((o) => o.peakRssMb));
    const second = median(ours.map((o) => o.secondStoreMs ?? 0));
    const size = `${megabytes >= 1024 ? `${megabytes / 1024} GB` : `${megabytes} MB`} ${label}`;
    rows.push({
      id: 3,
      benchmark: "artifacts",
      figure: `store ${size} (MB/s)`,
      value: ourStore,
      unit: "MB/s",
      baseline: kind === "typed" ? "fs.writeFileSync of the same bytes" : "v8.serialize + fs.writeFileSync",
      baselineValue: rawStore,
      ratio: ourStore / rawStore,
      target: kind === "typed" ? "≥ 50 % of raw; peak RSS < 2.5 GB" : "≥ 50 % of raw",
      met: options.quick ? null : ourStore / rawStore >= 0.5 && (kind !== "typed" || peak < 2560),
      note: `peak RSS ${peak.toFixed(0)} MB; identical second store ${second.toFixed(0)} ms (hash only, no write)`,
    });
    rows.push({
      id: 3,
      benchmark: "artifacts",
      figure: `load ${size} (MB/s)`,
      value: ourLoad,
      unit: "MB/s",
      baseline: kind === "typed" ? "fs.readFileSync of the same bytes" : "fs.readFileSync + v8.deserialize",
      baselineValue: rawLoad,
      ratio: ourLoad / rawLoad,
      target: "≥ 50 % of raw",
      met: options.quick ? null : ourLoad / rawLoad >= 0.5,
    });
  }
  return rows;
}
