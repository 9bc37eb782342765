// A task's inputs and foreach stack derived from (step, task id) alone equal what the local
// runtime handed it: the property Step Functions relies on to pass only task ids around. For
// the nested foreach example and for switches and loops, where the derivation has to find which
// case ran and the last iteration of a loop.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import nestedForeach from "../../examples/nested_foreach_flow.js";
import type { FlowSpec } from "../../src/flow/types.js";
import { validateFlow } from "../../src/graph/validate.js";
import { deriveTask } from "../../src/task/derive-task.js";
import branchInSwitch from "../fixtures/switches/branch_in_switch.js";
import nestedLoops from "../fixtures/switches/nested_loops.js";
import recursiveInForeach from "../fixtures/switches/recursive_switch_inside_foreach.js";
import switchInBranch from "../fixtures/switches/switch_in_branch.js";
import switchInForeach from "../fixtures/switches/switch_in_foreach.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";

const CASES: Array<[file: string, flow: FlowSpec, args: string[], tasks: number]> = [
  ["examples/nested_foreach_flow.ts", nestedForeach, [], 1 + 2 + 6 * 4 + 2 + 1 + 1],
  ["test/fixtures/switches/switch_in_branch.ts", switchInBranch, ["--route", "case1"], 6],
  ["test/fixtures/switches/switch_in_foreach.ts", switchInForeach, [], 13],
  ["test/fixtures/switches/branch_in_switch.ts", branchInSwitch, [], 6],
  ["test/fixtures/switches/recursive_switch_inside_foreach.ts", recursiveInForeach, [], 15],
  ["test/fixtures/switches/nested_loops.ts", nestedLoops, ["--rounds", "3"], 38],
];

for (const [file, flow, args, tasks] of CASES) {
  test(`${flow.name}: derived inputs and foreach stacks match the local runtime's for every task`, async () => {
    // given: a real run
    const root = path.join(tempDir(), ".flowship");
    const result = await runCli([file, "run", ...args], { env: flowshipEnv(root) });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const store = flowStore(root, flow.name);
    const graph = validateFlow(flow);
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
    assert.equal(checked, tasks);
  });
}
