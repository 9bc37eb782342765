/**
 * `npm run bench`: runs every benchmark, prints one table and writes bench/results.json with the
 * machine's facts. `--quick` runs small sizes once (used by the test suite to prove they complete;
 * it never installs or measures Metaflow). `--huge` adds benchmark 2's foreach of 100,000.
 */
import fs from "node:fs";
import { artifacts } from "./benchmarks/artifacts.js";
import { cards } from "./benchmarks/cards.js";
import { clientRead } from "./benchmarks/client-read.js";
import { coldStart } from "./benchmarks/cold-start.js";
import { runStart } from "./benchmarks/run-start.js";
import { stateMachineSize, stateTransitions } from "./benchmarks/state-machine.js";
import { taskOverhead } from "./benchmarks/task-overhead.js";
import { uiFirstPaint } from "./benchmarks/ui-first-paint.js";
import { wideFanout } from "./benchmarks/wide-fanout.js";
import { machine, type Row } from "./measure.js";

const quick = process.argv.includes("--quick");
const huge = process.argv.includes("--huge");
const only = process.argv
  .find((a) => a.startsWith("--only="))
  ?.slice(7)
  .split(",")
  .map(Number);
const BENCHMARKS: [number[], (o: { quick: boolean; huge: boolean }) => Promise<Row[]>][] = [
  [[1], taskOverhead],
  [[2], wideFanout],
  [[3], artifacts],
  [[4], clientRead],
  [[5], stateMachineSize],
  [[6], stateTransitions],
  [[7], coldStart],
  [[8], uiFirstPaint],
  [[9], cards],
  [[10], runStart],
];

/** `--report`: rewrite docs/performance.md from the last bench/results.json, running nothing. */
const report = process.argv.includes("--report");
const saved = report
  ? (JSON.parse(fs.readFileSync("bench/results.json", "utf8")) as {
      machine: Record<string, unknown>;
      rows: Row[];
    })
  : undefined;
const rows: Row[] = saved?.rows ?? [];
const info = saved?.machine ?? machine();
const facts = `${info.cpus} cores (${info.cpuModel}), ${info.memoryGb} GiB, Node.js ${info.node}`;
if (!report) process.stderr.write(`bench: running on ${facts}\n`);
for (const [ids, run] of report ? [] : BENCHMARKS) {
  if (only && !ids.some((id) => only.includes(id))) continue;
  process.stderr.write(`running benchmark ${ids.join(", ")}${quick ? " (quick)" : ""}…\n`);
  const produced = await run({ quick, huge });
  // Each benchmark's rows as soon as it ends: a long run that is stopped still shows what it measured.
  for (const r of produced) process.stderr.write(`${formatRow(r)}\n`);
  rows.push(...produced);
}

function format(n: number): string {
  // Three decimals under 0.1, so a ratio just over a target such as 0.08× does not print as 0.08×.
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n >= 0.1 || n === 0 ? n.toFixed(2) : n.toFixed(3);
}
function formatRow(r: Row): string {
  return `| ${r.id} | ${r.benchmark} | ${r.figure} | ${format(r.value)} ${r.unit} | ${r.baseline}: ${r.baselineValue === null ? "not measured" : format(r.baselineValue)} | ${
    r.ratio === undefined || r.ratio === null ? "" : `${format(r.ratio)}×`
  } | ${r.target}${r.note ? ` (${r.note})` : ""} | ${r.met === null ? "n/a" : r.met ? "yes" : "NO"} |`;
}
const lines = [
  `Measured on ${facts}.`,
  "",
  "| # | benchmark | figure | flowship | baseline (same run) | ratio | target | met |",
  "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ...rows.map(formatRow),
];
process.stdout.write(`${lines.join("\n")}\n`);
if (!quick) {
  // `--only` refreshes its benchmarks' rows in the last full results and keeps the others; with no
  // results yet, it writes neither them nor the page (its table would lose every other benchmark).
  const partial = only !== undefined && !fs.existsSync("bench/results.json");
  const previous =
    only && !partial
      ? (JSON.parse(fs.readFileSync("bench/results.json", "utf8")) as { rows: Row[] }).rows
      : [];
  const refreshed = new Set(rows.map((r) => r.id));
  if (only)
    rows.splice(
      0,
      rows.length,
      ...[...previous.filter((r) => !refreshed.has(r.id)), ...rows].sort((a, b) => a.id - b.id),
    );
  lines.splice(4, lines.length - 4, ...rows.map(formatRow));
  if (!report && !partial)
    fs.writeFileSync("bench/results.json", `${JSON.stringify({ machine: info, rows }, null, 2)}\n`);
  // Keep the table in docs/performance.md the latest full run's.
  lines[0] = `Measured ${String(info.date).slice(0, 10)} on ${facts}.`;
  const table = lines.join("\n");
  const doc = fs.readFileSync("docs/performance.md", "utf8");
  if (partial)
    process.stderr.write(
      "bench: --only with no earlier bench/results.json: neither it nor docs/performance.md written\n",
    );
  else
    fs.writeFileSync(
      "docs/performance.md",
      doc.replace(
        /<!-- bench:start -->[\s\S]*<!-- bench:end -->/,
        `<!-- bench:start -->\n${table}\n<!-- bench:end -->`,
      ),
    );
}
