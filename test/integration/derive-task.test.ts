// A task's inputs and foreach stack derived from (step, task id) alone equal what the local
// runtime handed it: the property Step Functions relies on to pass only task ids around.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import nestedForeach from "../../examples/nested_foreach_flow.js";
import { validateFlow } from "../../src/graph/validate.js";
import { deriveTask } from "../../src/task/derive-task.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";

test("derived inputs and foreach stacks match the local runtime's for every task", async () => {
  // given: a real run of the nested foreach example
  const root = path.join(tempDir(), ".flowship");
  const result = await runCli(["examples/nested_foreach_flow.ts", "run"], { env: flowshipEnv(root) });
  assert.equal(result.code, 0, result.stderr);
  const runId = runIdFrom(result.stderr);
  const store = flowStore(root, "NestedForeachFlow");
  const graph = validateFlow(nestedForeach);
  let checked = 0;
  for (const step of graph.order) {
    for (const taskId of await store.listTasks(runId, step)) {
      // when
      const derived = await deriveTask(store, graph, runId, step, taskId);
      // then
      const recorded = (await store.readAttempts(runId, step, taskId))!.starts.get(0)!;
      assert.deepEqual(derived.inputs, recorded.inputs, `${step}/${taskId} inputs`);
      assert.deepEqual(derived.foreachStack, recorded.foreachStack, `${step}/${taskId} foreach stack`);
      checked++;
    }
  }
  assert.equal(checked, 1 + 2 + 6 * 4 + 2 + 1 + 1);
});
