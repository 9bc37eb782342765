/**
 * `npm run bench`: runs every benchmark, prints one table and writes bench/results.json with the
 * machine's facts. `--quick` runs small sizes once (used by the test suite to prove they complete).
 */
import fs from "node:fs";
import { artifacts } from "./benchmarks/artifacts.js";
import { clientRead } from "./benchmarks/client-read.js";
import { coldStart } from "./benchmarks/cold-start.js";
import { stateMachineSize, stateTransitions } from "./benchmarks/state-machine.js";
import { taskOverhead } from "./benchmarks/task-overhead.js";
import { machine, type Row } from "./measure.js";

const quick = process.argv.includes("--quick");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",")
  .map(Number);
const BENCHMARKS: [number[], (o: { quick: boolean }) => Promise<Row[]>][] = [
  [[1, 2], taskOverhead],
  [[3], artifacts],
  [[4], clientRead],
  [[5], stateMachineSize],
  [[6], stateTransitions],
  [[7], coldStart],
];

const rows: Row[] = [];
for (const [ids, run] of BENCHMARKS) {
  if (only && !ids.some((id) => only.includes(id))) continue;
  process.stderr.write(`running benchmark ${ids.join(", ")}${quick ? " (quick)" : ""}…\n`);
  rows.push(...(await run({ quick })));
}

const format = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const lines = [
  "| # | benchmark | figure | flowship | baseline (same run) | ratio | target | met |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(
    (r) =>
      `| ${r.id} | ${r.benchmark} | ${r.figure} | ${format(r.value)} ${r.unit} | ${r.baseline}: ${format(r.baselineValue)} | ${
        r.ratio === undefined ? "" : `${format(r.ratio)}×`
      } | ${r.target}${r.note ? ` (${r.note})` : ""} | ${r.met === null ? "n/a" : r.met ? "yes" : "NO"} |`,
  ),
];
process.stdout.write(`${lines.join("\n")}\n`);
if (!quick)
  fs.writeFileSync("bench/results.json", `${JSON.stringify({ machine: machine(), rows }, null, 2)}\n`);
