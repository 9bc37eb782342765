/**
 * 4: the Client API reading one small artifact from the latest of 1,000 runs of a flow, against
 * reading that artifact's file directly; and proof that listing the runs reads no artifact bytes
 * (the blobs are deleted before listing, and listing still works).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import v8 from "node:v8";
import { Flow, setDatastore } from "../../src/client/index.js";
import { LocalStorage } from "../../src/datastore/backends/local.js";
import { FlowStore } from "../../src/datastore/flow-store.js";
import { medianOf, type Row } from "../measure.js";

/** One real run, whose records are then copied under new ids (same layout, same blobs). */
function makeRuns(root: string): string {
  const result = spawnSync(process.execPath, ["bin/flowship.js", "examples/parameter_flow.ts", "run"], {
    env: { ...process.env, FLOWSHIP_DATASTORE_ROOT: root, FLOWSHIP_USER: "bench" },
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(result.stderr);
  const runs = path.join(root, "ParameterFlow", "runs");
  const [first] = fs.readdirSync(runs);
  return first!;
}

export async function clientRead(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-client-"));
  const count = options.quick ? 20 : 1000;
  const original = makeRuns(root);
  const store = new FlowStore({ storage: new LocalStorage({ root }), flow: "ParameterFlow" });
  const record = (await store.readRun(original))!;
  const source = path.join(root, "ParameterFlow", "runs", original);
  const startedAt = Date.parse(record.startedAt);
  let latest = original;
  for (let i = 1; i < count; i++) {
    const runId = String(Number(original) + i);
    fs.cpSync(source, path.join(root, "ParameterFlow", "runs", runId), { recursive: true });
    // Copies start a millisecond apart, as runs id'd by Date.now() do: never in the future, which
    // the latest-run pointer would (rightly) distrust as a clock error.
    const copy = { ...record, runId, startedAt: new Date(startedAt + i).toISOString() };
    await store.writeRun(copy);
    // What the runtime does for every run it starts and finishes.
    await store.updateLatest("started", copy.namespace, runId, copy.startedAt);
    await store.updateLatest("succeeded", copy.namespace, runId, copy.startedAt);
    latest = runId;
  }
  setDatastore({ kind: "local", root });
  const options_ = { namespace: "user:bench" };
  const viaClient = async () => {
    const started = performance.now();
    const run = await (await Flow.get("ParameterFlow", options_)).latestRun();
    if (run?.id !== latest) throw new Error(`latest run is ${run?.id}, expected ${latest}`);
    const value = await run.endTask!.load("alpha");
    if (value !== 0.1) throw new Error(`read ${String(value)}`);
    return performance.now() - started;
  };
  const end = await store.readSuccessfulEnd(latest, "end", "0");
  const blob = store.storage.localPath!(store.content.keyOf(end!.artifacts.alpha!.hash));
  const direct = async () => {
    const started = performance.now();
    if (v8.deserialize(fs.readFileSync(blob)) !== 0.1) throw new Error("bad direct read");
    return performance.now() - started;
  };
  // A read takes microseconds, below the timer's noise: each sample is the mean of a batch of
  // reads, and the figure is the median of the samples (after a warm-up batch), for both sides.
  const runs = options.quick ? 1 : 5;
  const batch = options.quick ? 1 : 200;
  const meanOf = (read: () => Promise<number>) => async () => {
    let total = 0;
    for (let i = 0; i < batch; i++) total += await read();
    return total / batch;
  };
  const clientMs = await medianOf(runs, meanOf(viaClient));
  const directMs = await medianOf(runs, meanOf(direct));
  // Listing must not touch blobs: remove them all, then list every run again.
  fs.rmSync(path.join(root, "ParameterFlow", "data"), { recursive: true });
  const listed = (await (await Flow.get("ParameterFlow", options_)).runs()).length;
  fs.rmSync(root, { recursive: true, force: true });
  return [
    {
      id: 4,
      benchmark: "Client API",
      figure: `read one artifact of the latest of ${count} runs`,
      value: clientMs,
      unit: "ms",
      baseline: "reading that artifact's file directly",
      baselineValue: directMs,
      ratio: clientMs / directMs,
      target: "≤ 20× the direct read; listing reads no artifact bytes",
      met: options.quick ? null : clientMs / directMs <= 20 && listed === count,
      note: `listed ${listed} runs with every blob deleted`,
    },
  ];
}
