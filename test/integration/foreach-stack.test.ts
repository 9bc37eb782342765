// current.foreachStack (Metaflow's foreach_stack()): every enclosing foreach, outermost first,
// with the foreach's artifact (Metaflow's var), the task's index, the foreach's width and its item — locally and on simulated Step
// Functions, where the frames are derived in the Batch container.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { Task } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { taskArtifacts } from "../helpers/datastore.js";

const FLOW = path.join(REPO, "test/fixtures/flows/foreach_stack.ts");
const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root);

const expected = ["a", "b"].flatMap((outer, i) =>
  ["x", "y", "z"].map((inner, j) => [
    ["start", "outer", i, 2, outer],
    ["middle", "inner", j, 3, inner],
  ]),
);

describe("current.foreachStack", () => {
  test("a local run sees every level, outermost first, and none outside the foreaches", async () => {
    const result = await runCli([FLOW, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const join = await taskArtifacts(root, "ForeachStackFlow", runIdFrom(result.stderr), "outer_join");
    assert.deepEqual(join.all, expected);
    assert.equal(join.outside, 0);
    const inner = await taskArtifacts(root, "ForeachStackFlow", runIdFrom(result.stderr), "inner_join", "1");
    assert.equal(inner.empty, 1, "the inner join is still inside the outer foreach");
    const body = await Task.get(`ForeachStackFlow/${runIdFrom(result.stderr)}/body/1.2`, {
      datastore: root,
      namespace: null,
    });
    assert.deepEqual(
      body.foreachStack.map((frame) => [frame.step, frame.var, frame.index]),
      [
        ["start", "outer", 1],
        ["middle", "inner", 2],
      ],
    );
  });

  test("a simulated production run sees the same", async () => {
    const result = await runCli([FLOW, "step-functions", "simulate", "--token", "stack"], { env });
    assert.equal(result.code, 0, result.stderr);
    const join = await taskArtifacts(
      root,
      "ForeachStackFlow",
      simulatedRunIdFrom(result.stderr),
      "outer_join",
    );
    assert.deepEqual(join.all, expected);
  });
});
