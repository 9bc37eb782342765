// Every example runs through the real CLI and stores the artifacts it should.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore, taskArtifacts } from "../helpers/datastore.js";

const root = tempDir();
const env = flowshipEnv(root);

describe("examples run end to end", () => {
  test("ParameterFlow reads its parameter in every step", async () => {
    // given / when
    const result = await runCli(["examples/parameter_flow.ts", "run", "--alpha", "0.5"], { env });
    // then
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /\[\d+\/start\/0\] alpha is 0\.5/);
    assert.match(result.stdout, /\[\d+\/end\/0\] alpha still is 0\.5/);
    const runId = runIdFrom(result.stderr);
    assert.equal((await taskArtifacts(root, "ParameterFlow", runId, "end")).alpha, 0.5);
    const run = await flowStore(root, "ParameterFlow").readRunEnd(runId);
    assert.equal(run?.status, "succeeded");
  });

  test("ParameterFlow takes its default without a flag", async () => {
    const result = await runCli(["examples/parameter_flow.ts", "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /alpha is 0\.1/);
  });

  test("HourlyFlow runs once locally; its schedule is inert", async () => {
    const result = await runCli(["examples/hourly_flow.ts", "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Scheduled successfully/);
  });

  test("BranchFlow joins both branches and merges what they agree on", async () => {
    const result = await runCli(["examples/branch_flow.ts", "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const end = await taskArtifacts(root, "BranchFlow", runId, "end");
    assert.equal(end.total, 7 * 2 + 7 ** 2);
    assert.equal(end.base, 7);
    assert.equal("doubled" in end, false, "excluded artifacts are not merged");
    assert.equal((await taskArtifacts(root, "BranchFlow", runId, "square")).squared, 49);
  });

  test("ForeachFlow fans out one task per item and joins them in order", async () => {
    const result = await runCli(["examples/foreach_flow.ts", "run", "--count", "7"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const tasks = await flowStore(root, "ForeachFlow").listTasks(runId, "square");
    assert.deepEqual(
      tasks.sort((a, b) => Number(a) - Number(b)),
      ["0", "1", "2", "3", "4", "5", "6"],
    );
    const third = await taskArtifacts(root, "ForeachFlow", runId, "square", "2");
    assert.equal(third.result, 9);
    assert.deepEqual(
      (await taskArtifacts(root, "ForeachFlow", runId, "end")).results,
      [1, 4, 9, 16, 25, 36, 49],
    );
  });

  test("NestedForeachFlow runs a split inside a foreach inside a foreach", async () => {
    const result = await runCli(["examples/nested_foreach_flow.ts", "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const train = await flowStore(root, "NestedForeachFlow").listTasks(runId, "train");
    assert.deepEqual(train.sort(), ["0.0", "0.1", "0.2", "1.0", "1.1", "1.2"]);
    const end = await taskArtifacts(root, "NestedForeachFlow", runId, "end");
    assert.deepEqual(end.summary, { linear: [11, 22, 33], tree: [11, 22, 33] });
  });

  test("ResilientFlow retries, catches and bounds its steps", async () => {
    const result = await runCli(["examples/resilient_flow.ts", "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const store = flowStore(root, "ResilientFlow");
    const start = await store.readAttempts(runId, "start", "0");
    assert.equal(start?.latest, 2, "two failed attempts, then a third that succeeded");
    assert.equal(start?.ends.get(0)?.status, "failed");
    assert.equal(start?.ends.get(2)?.status, "succeeded");
    const risky = await store.readAttempts(runId, "risky", "0");
    assert.equal(risky?.latest, 0, "retry({ times: 0 }) never retries");
    assert.equal(risky?.ends.get(0)?.caught, true);
    const end = await taskArtifacts(root, "ResilientFlow", runId, "end");
    assert.equal((end.riskyError as { message: string }).message, "the external service is down");
    assert.equal(end.partial, "computed before the failure");
    assert.equal(end.bounded, "finished within its time limit");
  });
});
