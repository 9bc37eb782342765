// Issue 36's shape of the code, kept: no function in src/ over 80 lines (tests left out), and no import
// circle but the client's Run ↔ Step ↔ Task navigation (scripts/code-shape.ts prints both).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { importCircles, longFunctions } from "../../scripts/code-shape.js";
import { readImportGraph } from "../../scripts/layer-check.js";

const MAX_LINES = 80;
const CLIENT_NAVIGATION = ["client/run.ts", "client/step.ts", "client/task.ts"];

test("no function in src/ is over 80 lines, and the only import circle is the client's navigation", () => {
  const graph = readImportGraph("src");
  assert.ok(graph.size > 100, "the graph covers src/");
  const long = longFunctions("src", graph, MAX_LINES).map(
    (f) => `src/${f.file}:${f.line} ${f.name} (${f.lines} lines)`,
  );
  assert.deepEqual(long, [], "split these along their phases (node --import tsx scripts/code-shape.ts)");
  assert.deepEqual(importCircles(graph, ["value", "type"]), [CLIENT_NAVIGATION]);
});

test("the checks find a long function and a circle in a source tree that has them", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-shape-"));
  try {
    const body = Array.from({ length: MAX_LINES }, (_, i) => `  total += ${i};`).join("\n");
    fs.writeFileSync(
      path.join(dir, "a.ts"),
      `import { b } from "./b.js";\nexport function long(): number {\n  let total = b;\n${body}\n  return total;\n}\n`,
    );
    fs.writeFileSync(
      path.join(dir, "b.ts"),
      'import type { long } from "./a.js";\nexport const b = 1;\nexport type L = typeof long;\n',
    );
    const graph = readImportGraph(dir);
    assert.deepEqual(
      longFunctions(dir, graph, MAX_LINES).map((f) => [f.file, f.name, f.lines]),
      [["a.ts", "long", MAX_LINES + 4]],
    );
    assert.deepEqual(importCircles(graph, ["value", "type"]), [["a.ts", "b.ts"]]);
    assert.deepEqual(importCircles(graph, ["value"]), [], "a type-only import makes no value circle");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
