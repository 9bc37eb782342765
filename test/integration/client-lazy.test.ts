// Listing runs, steps, tasks and artifacts reads records only: with every artifact blob gone or
// corrupt, listings (Client API and commands) still work, and only loading a value fails.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { Flow, listFlows, Run, Task } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

process.env.FLOWSHIP_USER = "tester";
delete process.env.FLOWSHIP_PRODUCTION_TOKEN;

const root = tempDir();
const env = flowshipEnv(root);
const datastore = { datastore: root };
let runId: string;

before(async () => {
  const result = await runCli(["examples/branch_flow.ts", "run"], { env });
  assert.equal(result.code, 0, result.stderr);
  runId = runIdFrom(result.stderr);
  // given: the blob of `total` corrupted, and every other blob of the flow deleted
  const end = await Task.get(`BranchFlow/${runId}/end/0`, datastore);
  const total = end.artifact("total").hash;
  const dataDir = path.join(root, "BranchFlow/data");
  for (const folder of fs.readdirSync(dataDir)) {
    for (const blob of fs.readdirSync(path.join(dataDir, folder))) {
      const file = path.join(dataDir, folder, blob);
      if (blob === total) fs.writeFileSync(file, "not what was stored");
      else fs.rmSync(file);
    }
  }
});

describe("artifacts load lazily", () => {
  test("listing flows, runs, steps, tasks and artifacts reads no blob", async () => {
    assert.deepEqual(
      (await listFlows(datastore)).map((f) => f.name),
      ["BranchFlow"],
    );
    const run = (await (await Flow.get("BranchFlow", datastore)).runs())[0]!;
    assert.equal(run.id, runId);
    assert.equal(run.status, "succeeded");
    const tasks = (await Promise.all((await run.steps()).map((s) => s.tasks()))).flat();
    assert.equal(tasks.length, 5);
    const end = run.endTask!;
    assert.deepEqual(
      end.artifacts().map((a) => [a.name, a.type]),
      [
        ["base", "number"],
        ["total", "number"],
      ],
    );
    assert.deepEqual(Object.keys(end.data), ["base", "total"]);
    assert.match(await end.stdout(), /doubled \+ squared = 63/);
  });

  test("loading a deleted blob fails with FS_DATASTORE_MISSING, a changed one with FS_DATASTORE_CORRUPT", async () => {
    const run = await Run.get(`BranchFlow/${runId}`, datastore);
    await assert.rejects(run.data!.base!, { code: "FS_DATASTORE_MISSING" });
    await assert.rejects(run.endTask!.load("total"), { code: "FS_DATASTORE_CORRUPT" });
  });

  test("runs, logs and tag list work; dump reports the missing blob", async () => {
    for (const args of [["runs"], ["logs", runId], ["tag", "list"]]) {
      const result = await runCli(["examples/branch_flow.ts", ...args], { env });
      assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    }
    const dump = await runCli(["examples/branch_flow.ts", "dump", `${runId}/end`], { env });
    assert.equal(dump.code, 1);
    assert.match(
      dump.stderr,
      new RegExp(`^error: Missing object for artifact 'BranchFlow/${runId}/end/0/base'`),
    );
  });
});
