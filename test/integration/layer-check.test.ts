// The layer check (scripts/layer-check.ts) passes on src/ as it is, and fails when an import points up a
// floor, when the AWS SDK would load on the local run path, or when a known violation has gone.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { before, test } from "node:test";
import {
  checkLayers,
  type ImportEdge,
  type ImportGraph,
  importsOf,
  KNOWN_VIOLATIONS,
  LOCAL_RUN_ENTRY,
  readImportGraph,
} from "../../scripts/layer-check.js";

let src: ImportGraph;
before(() => {
  src = readImportGraph("src");
});

/** A copy of the src/ graph with `edge` added to `from`'s imports. */
function withImport(from: string, edge: ImportEdge): ImportGraph {
  const graph = new Map(src);
  graph.set(from, [...(graph.get(from) ?? []), edge]);
  return graph;
}

test("src/ follows the layers of docs/architecture.md (check: node --import tsx scripts/layer-check.ts)", () => {
  assert.ok(src.has(LOCAL_RUN_ENTRY) && src.has("graph/flow-graph.ts"), "the graph covers src/");
  assert.deepEqual(checkLayers(src), []);
});

test("an upward import fails the check, type-only and dynamic imports too", () => {
  for (const kind of ["value", "type", "dynamic"] as const) {
    const problems = checkLayers(
      withImport("graph/flow-graph.ts", { to: "cli/commands/step-functions.ts", kind, line: 1 }),
    );
    assert.match(
      problems[0]!,
      /^src\/graph\/flow-graph\.ts:1: imports cli\/commands\/step-functions\.ts .*graph\/ may not import cli\//,
    );
    // A static import of the step-functions commands also brings the AWS SDK onto the local run path.
    assert.equal(problems.length, kind === "value" ? 2 : 1, kind);
  }
  // The task executor never imports the runtime; the datastore never imports flow/.
  assert.equal(
    checkLayers(withImport("task/executor.ts", { to: "runtime/local-run.ts", kind: "type", line: 3 })).length,
    1,
  );
  assert.equal(
    checkLayers(withImport("datastore/records.ts", { to: "flow/types.ts", kind: "type", line: 3 })).length,
    1,
  );
  // The "prepare a run" kernel (run/) sits below the local runtime and AWS: both use it, it uses neither.
  assert.deepEqual(
    checkLayers(withImport("aws/index.ts", { to: "run/compile-flow.ts", kind: "value", line: 2 })),
    [],
  );
  assert.match(
    checkLayers(withImport("aws/index.ts", { to: "runtime/local-run.ts", kind: "value", line: 2 }))[0]!,
    /aws\/ may not import runtime\//,
  );
  for (const to of ["runtime/local-run.ts", "aws/index.ts"]) {
    const problems = checkLayers(withImport("run/run-options.ts", { to, kind: "type", line: 4 }));
    assert.equal(problems.length, 1, to);
    assert.match(problems[0]!, /^src\/run\/run-options\.ts:4: .*run\/ may not import (runtime|aws)\//);
  }
});

test("the AWS SDK statically reachable from the local run fails the check; a lazy import does not", () => {
  const deep = "datastore/content-store.ts";
  const problems = checkLayers(withImport(deep, { to: "@aws-sdk/client-s3", kind: "value", line: 7 }));
  assert.equal(problems.length, 1);
  assert.match(
    problems[0]!,
    /^src\/datastore\/content-store\.ts:7: imports @aws-sdk\/client-s3: AWS SDK on the local run path: runtime\/local-run\.ts → .*datastore\/content-store\.ts$/,
  );
  assert.deepEqual(checkLayers(withImport(deep, { to: "@aws-sdk/client-s3", kind: "dynamic", line: 7 })), []);
  assert.deepEqual(checkLayers(withImport(deep, { to: "@aws-sdk/client-s3", kind: "type", line: 7 })), []);
});

test("a known violation that no longer occurs fails the check, so the list only shrinks", () => {
  const problems = checkLayers(src, [...KNOWN_VIOLATIONS, "aws -> runtime/local-run.ts"]);
  assert.deepEqual(problems, [
    "scripts/layer-check.ts: 'aws -> runtime/local-run.ts' no longer occurs; remove it from KNOWN_VIOLATIONS",
  ]);
});

test("imports are read as the compiler emits them under verbatimModuleSyntax", () => {
  const text = [
    'import type { A } from "./a.js";',
    'import { type B } from "./b.js";',
    'export { C } from "./c.js";',
    'export type { D } from "./d.js";',
    'const e = () => import("./e.js");',
    'let f: import("./f.js").F;',
  ].join("\n");
  assert.deepEqual(
    importsOf("x.ts", text).map(({ specifier, kind }) => `${specifier} ${kind}`),
    ["./a.js type", "./b.js value", "./c.js value", "./d.js type", "./e.js dynamic", "./f.js type"],
  );
});

test("the script exits 1 and names the file when a source tree imports up a floor", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-layers-"));
  try {
    fs.mkdirSync(path.join(dir, "graph"));
    fs.mkdirSync(path.join(dir, "cli"));
    fs.writeFileSync(
      path.join(dir, "graph", "render.ts"),
      'import { main } from "../cli/main.js";\nmain();\n',
    );
    fs.writeFileSync(path.join(dir, "cli", "main.ts"), "export function main() {}\n");
    const result = (() => {
      try {
        execFileSync(process.execPath, ["--import", "tsx", "scripts/layer-check.ts", dir], { stdio: "pipe" });
        return { status: 0, stderr: "" };
      } catch (error) {
        const failed = error as { status: number; stderr: Buffer };
        return { status: failed.status, stderr: failed.stderr.toString() };
      }
    })();
    assert.equal(result.status, 1);
    assert.match(
      result.stderr,
      /src\/graph\/render\.ts:1: imports cli\/main\.ts \(value\): graph\/ may not import cli\//,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
