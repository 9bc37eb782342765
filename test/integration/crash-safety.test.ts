// Killing a run at any moment never leaves a half-written object, nor a run or task that reads
// as successful when it was not.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { BIN, flowshipEnv, REPO, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";
import { scanDatastore } from "../helpers/scan-datastore.js";

/** A small seeded generator, so a failing kill moment can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

test("SIGKILL of a run mid-write leaves nothing half-written", async () => {
  const random = seeded(20261124);
  const root = path.join(tempDir(), ".flowship");
  const store = flowStore(root, "HeavyWrites");
  let interrupted = 0;
  let records = 0;
  for (let round = 0; round < 6; round++) {
    // given: a run writing 4 × 32 MB artifacts in parallel
    const delay = 150 + Math.floor(random() * 1200);
    const child = spawn(process.execPath, [BIN, "test/fixtures/flows/heavy_writes.ts", "run"], {
      env: flowshipEnv(root),
      cwd: REPO,
      stdio: "ignore",
    });
    const closed = new Promise((r) => child.on("close", r));
    // when: it is killed at a random moment
    await new Promise((r) => setTimeout(r, delay));
    if (child.exitCode === null) interrupted++;
    child.kill("SIGKILL");
    await closed;
    await new Promise((r) => setTimeout(r, 300)); // its tasks notice and stop
    // then: every object reads back whole, and no unfinished run reads as succeeded
    const scan = scanDatastore(root);
    assert.deepEqual(scan.problems, [], `round ${round} (killed after ${delay} ms)`);
    // A kill can land before the first record on a busy machine; the scan must have read some by the end.
    records = scan.records;
    for (const runId of await store.listRunIds()) {
      const end = await store.readRunEnd(runId);
      if (end?.status === "succeeded") {
        assert.ok(
          await store.readSuccessfulEnd(runId, "end", "0"),
          `run ${runId} reads as succeeded without its end step`,
        );
      }
    }
  }
  assert.ok(records > 0, "the scan read the runs' records");
  assert.ok(interrupted >= 4, `only ${interrupted} of 6 kills landed while the run was going`);
});
