// Runs that share a datastore do not interfere: eight runs of one flow at once, and two resumes of
// one run at once, each store exactly the artifacts their parameters call for.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { CRASH_FLOW, crashFlowArtifacts } from "../helpers/crash-flow.js";
import { runArtifacts } from "../helpers/run-artifacts.js";
import { scanDatastore } from "../helpers/scan-datastore.js";

/** Every file below `folder` with its bytes, to prove nothing changed there. */
function snapshot(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files[path.relative(folder, full)] = fs.readFileSync(full, "base64");
  }
  return files;
}

describe("concurrent runs on one datastore", () => {
  test("eight runs of the same flow at once: eight runs, every artifact correct", async () => {
    // given
    const root = path.join(tempDir(), ".flowship");
    const scales = [1, 2, 3, 4, 5, 6, 7, 8];
    // when
    const results = await Promise.all(
      scales.map((scale) =>
        runCli([CRASH_FLOW, "run", "--scale", String(scale)], { env: flowshipEnv(root) }),
      ),
    );
    // then
    for (const result of results) assert.equal(result.code, 0, result.stderr);
    const runIds = results.map((result) => runIdFrom(result.stderr));
    assert.equal(new Set(runIds).size, 8, `run ids collided: ${runIds}`);
    for (const [index, runId] of runIds.entries()) {
      assert.deepEqual(
        await runArtifacts(root, `CrashFlow/${runId}`),
        crashFlowArtifacts(scales[index]!),
        `run ${runId} with --scale ${scales[index]}`,
      );
      const run = await Run.get(`CrashFlow/${runId}`, { datastore: root, namespace: null });
      assert.equal(run.status, "succeeded");
    }
    assert.deepEqual(scanDatastore(root).problems, []);
  });

  test("two resumes of one failed run at once: two new runs, both correct, the origin untouched", async () => {
    // given: a run whose foreach item 2 failed
    const root = path.join(tempDir(), ".flowship");
    const failed = await runCli([CRASH_FLOW, "run", "--scale", "5"], {
      env: flowshipEnv(root, { FAIL_INDEX: "2" }),
    });
    assert.equal(failed.code, 1, failed.stderr);
    const origin = runIdFrom(failed.stderr);
    const originFolder = path.join(root, "CrashFlow", "runs", origin);
    const before = snapshot(originFolder);
    // when
    const resumes = await Promise.all(
      [0, 1].map(() => runCli([CRASH_FLOW, "resume", "--origin-run-id", origin], { env: flowshipEnv(root) })),
    );
    // then
    for (const result of resumes) assert.equal(result.code, 0, result.stderr);
    const [first, second] = resumes.map((result) => runIdFrom(result.stderr));
    assert.notEqual(first, second);
    for (const runId of [first, second]) {
      assert.deepEqual(await runArtifacts(root, `CrashFlow/${runId}`), crashFlowArtifacts(5), `run ${runId}`);
      const run = await Run.get(`CrashFlow/${runId}`, { datastore: root, namespace: null });
      assert.equal(run.originRunId, origin);
    }
    assert.deepEqual(snapshot(originFolder), before, "a resume changed its origin run");
    assert.deepEqual(scanDatastore(root).problems, []);
  });
});
