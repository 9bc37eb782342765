// The benchmarks in quick mode (small sizes, one run): they must complete and report every
// figure. Times are never asserted here; `npm run bench` measures them, Metaflow included (quick
// mode neither installs nor runs it: the rows say so).
import assert from "node:assert/strict";
import { test } from "node:test";
import { runNode } from "../helpers/cli.js";

test("every benchmark completes in quick mode and prints its row", async () => {
  const result = await runNode(["--import", "tsx", "bench/run.ts", "--quick"]);
  assert.equal(result.code, 0, result.stderr);
  const rows = result.stdout.split("\n").filter((line) => /^\| \d+ \|/.test(line));
  const ids = new Set(rows.map((row) => Number(/^\| (\d+) \|/.exec(row)![1])));
  for (const id of [1, 2, 3, 10]) assert.ok(ids.has(id), `benchmark ${id} printed no row:\n${result.stdout}`);
  for (const row of rows) assert.doesNotMatch(row, /NaN|undefined/);
  assert.match(result.stdout, /^Measured on \d+ cores/m);
  const metaflowRows = rows.filter((row) => row.includes("against Metaflow"));
  assert.equal(metaflowRows.length, 2, result.stdout);
  for (const row of metaflowRows) assert.match(row, /Metaflow not measured: quick mode/);
});
