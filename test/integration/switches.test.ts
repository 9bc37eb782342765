// Metaflow's eight switch and recursion graphs (test/core/graphs/ in Metaflow's repository),
// written in flowship's API: each runs locally and as production runs it — compiled to a state
// machine, executed by the simulator, every Batch job command in the sandbox — and both runs
// store the same tasks (ids included), the same inputs and the same artifacts. Then what a
// value without a case does, and resume inside a loop.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { writeFlowFile } from "../helpers/datastore.js";
import { runArtifacts } from "../helpers/run-artifacts.js";

const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root);
const datastore = { kind: "local", root } as const;
const dir = "test/fixtures/switches";

interface Shape {
  file: string;
  flow: string;
  args: string[];
  /** The tasks the run must have, `step/task`, sorted. */
  tasks: string[];
  /** Artifacts of one task to check by value: `step/task` → { name: value }. */
  expect: Record<string, Record<string, unknown>>;
}

const SHAPES: Shape[] = [
  {
    file: "switch_basic.ts",
    flow: "SwitchBasic",
    args: ["--route", "case3"],
    tasks: ["c/0", "end/0", "start/0", "switch_step/0"],
    expect: { "end/0": { trail: ["start", "switch_step", "c", "end"] } },
  },
  {
    file: "switch_in_branch.ts",
    flow: "SwitchInBranch",
    args: ["--route", "case1"],
    tasks: ["a/0", "b/0", "c/0", "end/0", "join/0", "start/0"],
    expect: { "join/0": { trail: ["start>a>c", "start>b"] } },
  },
  {
    file: "switch_in_foreach.ts",
    flow: "SwitchInForeach",
    args: [],
    tasks: [
      "end/0",
      "handle_a/0",
      "handle_a/2",
      "handle_b/1",
      "handle_b/3",
      "handle_b/4",
      "join/0",
      ...[0, 1, 2, 3, 4].map((i) => `process_item/${i}`),
      "start/0",
    ],
    expect: { "end/0": { handled: ["A:0", "B:1", "A:2", "B:3", "B:4"] } },
  },
  {
    file: "switch_nested.ts",
    flow: "SwitchNested",
    args: ["--first", "case1", "--second", "case2_1"],
    tasks: ["c/0", "end/0", "start/0", "switch2/0"],
    expect: { "end/0": { trail: ["start", "switch2", "c", "end"] } },
  },
  {
    file: "branch_in_switch.ts",
    flow: "BranchInSwitch",
    args: [],
    tasks: ["end/0", "p1/0", "p2/0", "process_branch/0", "process_join/0", "start/0"],
    expect: { "end/0": { parts: [1, 2], trail: ["start", "process_branch", "process_join", "end"] } },
  },
  {
    file: "foreach_in_switch.ts",
    flow: "ForeachInSwitch",
    args: ["--mode", "skip"],
    tasks: ["end/0", "skip_processing/0", "start/0"],
    expect: { "end/0": { trail: ["start", "skip_processing", "end"] } },
  },
  {
    file: "recursive_switch.ts",
    flow: "RecursiveSwitch",
    args: ["--times", "4"],
    tasks: [
      "end/0",
      "exit_loop/0",
      "loop_step/0-0",
      "loop_step/0-1",
      "loop_step/0-2",
      "loop_step/0-3",
      "start/0",
    ],
    expect: { "end/0": { final: 4, seen: ["0-0:1", "0-1:2", "0-2:3", "0-3:4"] } },
  },
  {
    file: "recursive_switch_inside_foreach.ts",
    flow: "RecursiveSwitchInsideForeach",
    args: [],
    tasks: [
      "end/0",
      "exit_item_loop/0",
      "exit_item_loop/1",
      "exit_item_loop/2",
      "join/0",
      "loop_body/0-0",
      "loop_body/1-0",
      "loop_body/1-1",
      "loop_body/1-2",
      "loop_body/2-0",
      "loop_body/2-1",
      "start/0",
      "start_loop_for_item/0",
      "start_loop_for_item/1",
      "start_loop_for_item/2",
    ],
    expect: {
      "end/0": { results: ["1x1", "3x3", "2x2"], tasks: [["0-0"], ["1-0", "1-1", "1-2"], ["2-0", "2-1"]] },
    },
  },
  {
    // Beyond Metaflow: an outer loop around a split whose branch loops on its own, and a foreach.
    file: "nested_loops.ts",
    flow: "NestedLoops",
    args: ["--rounds", "2"],
    tasks: [
      "a/0-0-0",
      "a/0-1-0",
      "a/0-1-1",
      "a_done/0-0",
      "a_done/0-1",
      "b/0-0",
      "b/0-1",
      "decide/0-0",
      "decide/0-1",
      "end/0",
      "fan/0-0",
      "fan/0-1",
      "fan_join/0-0",
      "fan_join/0-1",
      "j/0-0",
      "j/0-1",
      "round_start/0-0",
      "round_start/0-1",
      "split_step/0-0",
      "split_step/0-1",
      "start/0",
      "work/0-0.0",
      "work/0-0.1",
      "work/0-1.0",
      "work/0-1.1",
    ],
    expect: {
      "end/0": {
        log: [
          "1 steps, last 0-0-0 | b 0-0",
          "x@0-0.0,y@0-0.1",
          "2 steps, last 0-1-1 | b 0-1",
          "x@0-1.0,y@0-1.1",
        ],
      },
    },
  },
];

/** Every task's artifacts and inputs (without the run id), by `step/task`. */
async function stored(flow: string, runId: string) {
  const artifacts = await runArtifacts(datastore, `${flow}/${runId}`);
  const run = await Run.get(`${flow}/${runId}`, { datastore, namespace: null });
  const inputs: Record<string, string[]> = {};
  for (const step of await run.steps()) {
    for (const task of await step.tasks()) {
      inputs[`${step.name}/${task.id}`] = task.inputs.map((p) => p.split("/").slice(2).join("/"));
    }
  }
  return { artifacts, inputs };
}

describe("Metaflow's switch and recursion graphs, local and simulated", () => {
  for (const shape of SHAPES) {
    test(`${shape.flow}: the same tasks, inputs and artifacts locally and on Step Functions`, async () => {
      // given: a local run
      const file = path.join(dir, shape.file);
      const local = await runCli([file, "run", ...shape.args], { env });
      assert.equal(local.code, 0, local.stderr);
      const expected = await stored(shape.flow, runIdFrom(local.stderr));
      assert.deepEqual(Object.keys(expected.artifacts).sort(), shape.tasks);
      for (const [task, values] of Object.entries(shape.expect)) {
        for (const [name, value] of Object.entries(values)) {
          assert.deepEqual(expected.artifacts[task]?.[name], value, `${task} ${name}`);
        }
      }
      // when: the state machine runs in the simulator, each job command in the sandbox
      const simulated = await runCli([file, "step-functions", "simulate", "--token", "ci", ...shape.args], {
        env,
      });
      // then
      assert.equal(simulated.code, 0, simulated.stderr);
      assert.doesNotMatch(simulated.stderr, /without a sandbox/);
      assert.deepEqual(await stored(shape.flow, simulatedRunIdFrom(simulated.stderr)), expected);
    });
  }
});

describe("switch values and loops at run time", () => {
  test("a value without a case fails the switch step with one line naming the step, the artifact, the value and the cases", async () => {
    const file = path.join(dir, "switch_basic.ts");
    const result = await runCli([file, "run", "--route", "nope"], { env });
    assert.equal(result.code, 1);
    const message =
      "Step 'switch_step' set self.condition to \"nope\", which has no case: its cases are 'case1', 'case2', 'case3'.";
    assert.ok(result.stderr.trimEnd().endsWith(`switch_step/0: FlowshipError: ${message}`), result.stderr);
    assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
    assert.doesNotMatch(result.stderr, /\n\s*b\s+\d/, "no case ran");
  });

  test("a value without a case is described as it is: NaN as NaN, an object without a prototype too", async () => {
    // given: route set to NaN, or to an object String() cannot convert
    const file = writeFlowFile(
      tempDir(),
      "odd_values",
      `export default flow("OddValues")
  .step("start", (self) => {
    self.route = process.env.ROUTE === "nan" ? Number.NaN : Object.assign(Object.create(null), { lane: "fast" });
  }, { condition: "route", next: { a: "a", null: "end" } })
  .step("a", () => {}, { next: "end" })
  .step("end", () => {});`,
    );
    // when
    const [nan, bare] = await Promise.all(
      ["nan", "bare"].map((route) => runCli([file, "run"], { env: { ...env, ROUTE: route } })),
    );
    // then: the documented one line, no raw TypeError, no stack
    const cases = "which has no case: its cases are 'a', 'null'.";
    for (const [result, value] of [
      [nan!, "NaN"],
      [bare!, "[Object: null prototype] { lane: 'fast' }"],
    ] as const) {
      assert.equal(result.code, 1, result.stderr);
      assert.ok(
        result.stderr.endsWith(`start/0: FlowshipError: Step 'start' set self.route to ${value}, ${cases}\n`),
        result.stderr,
      );
      assert.doesNotMatch(result.stderr, /TypeError|^\s+at /m);
    }
  });

  test("a switch whose condition no step set fails naming the artifact and the cases", async () => {
    const file = writeFlowFile(
      tempDir(),
      "unset_condition",
      `export default flow("UnsetCondition")
  .step("start", () => {}, { condition: "route", next: { a: "a", b: "end" } })
  .step("a", () => {}, { next: "end" })
  .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /start\/0: FlowshipError: Step 'start' is a switch on 'route', but neither it nor an earlier step set self\.route; its cases are 'a', 'b'\.\n$/,
    );
  });

  test("the same value on Step Functions fails the execution at the switch step", async () => {
    const file = path.join(dir, "switch_basic.ts");
    const result = await runCli([file, "step-functions", "simulate", "--token", "ci", "--route", "nope"], {
      env,
    });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /set self\.condition to "nope", which has no case/);
  });

  test("resume inside a loop reuses the iterations that succeeded and runs again from the failed one", async () => {
    // given: a run whose fourth iteration fails
    const file = path.join(dir, "recursive_switch.ts");
    const failEnv = { ...env, FAIL_AT_ITERATION: "4" };
    const origin = await runCli([file, "run", "--times", "6"], { env: failEnv });
    assert.equal(origin.code, 1);
    assert.match(origin.stderr, /loop_step\/0-3: Error: iteration 4 fails on purpose/);
    const originId = runIdFrom(origin.stderr);
    // when
    const resumed = await runCli([file, "resume", "--origin-run-id", originId], { env: failEnv });
    // then
    assert.equal(resumed.code, 0, resumed.stderr);
    const run = await Run.get(`RecursiveSwitch/${runIdFrom(resumed.stderr)}`, { datastore, namespace: null });
    const loop = await run.step("loop_step");
    const tasks = await loop.tasks();
    assert.deepEqual(
      tasks.map((t) => [t.id, t.origin?.split("/").slice(1).join("/")]),
      [
        ["0-0", `${originId}/loop_step/0-0`],
        ["0-1", `${originId}/loop_step/0-1`],
        ["0-2", `${originId}/loop_step/0-2`],
        ["0-3", undefined],
        ["0-4", undefined],
        ["0-5", undefined],
      ],
    );
    assert.equal(await run.data?.final, 6);
    assert.deepEqual(await run.data?.seen, ["0-0:1", "0-1:2", "0-2:3", "0-3:4", "0-4:5", "0-5:6"]);
  });

  test("each iteration is a task of its own, in order, shown by the Client API, dump and logs", async () => {
    // given
    const file = path.join(dir, "recursive_switch.ts");
    const ran = await runCli([file, "run", "--times", "12"], { env });
    assert.equal(ran.code, 0, ran.stderr);
    const runId = runIdFrom(ran.stderr);
    // when
    const run = await Run.get(`RecursiveSwitch/${runId}`, { datastore, namespace: null });
    const tasks = await (await run.step("loop_step")).tasks();
    const dump = await runCli([file, "dump", `${runId}/loop_step/0-10`], { env });
    const logs = await runCli([file, "logs", `${runId}/loop_step/0-11`], { env });
    // then
    assert.deepEqual(
      tasks.map((t) => t.id),
      Array.from({ length: 12 }, (_, i) => `0-${i}`),
    );
    assert.deepEqual(tasks[10]!.choice, { value: "continue", next: "loop_step" });
    assert.deepEqual(tasks[11]!.choice, { value: "exit", next: "exit_loop" });
    assert.deepEqual(tasks[3]!.inputs, [`RecursiveSwitch/${runId}/loop_step/0-2`]);
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(
      dump.stdout,
      new RegExp(
        `^RecursiveSwitch/${runId}/loop_step/0-10 \\(attempt 0, succeeded, continue -> loop_step\\)\n`,
      ),
    );
    assert.match(dump.stdout, /^ {2}counter \[number, \d+ bytes\] = 11$/m);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^iteration 12$/m);
  });

  test("show draws the cases and the loop as text, Mermaid and DOT", async () => {
    const file = path.join(dir, "recursive_switch.ts");
    const text = await runCli([file, "show"], { env });
    const mermaid = await runCli([file, "show", "--format", "mermaid"], { env });
    const dot = await runCli([file, "show", "--format", "dot"], { env });
    assert.match(
      text.stdout,
      /Step loop_step\n {4}switch on 'loop_status': continue -> loop_step \(loop\), exit -> exit_loop\n/,
    );
    assert.match(mermaid.stdout, /step_loop_step\{"loop_step"\}/);
    assert.match(mermaid.stdout, /step_loop_step -->\|"loop_status = continue \(loop\)"\| step_loop_step/);
    assert.match(dot.stdout, /"loop_step" \[shape=diamond\];/);
    assert.match(dot.stdout, /"loop_step" -> "exit_loop" \[label="loop_status = exit"\];/);
  });

  test("a retried iteration runs again as the same task, locally and on Step Functions", async () => {
    const file = path.join(dir, "recursive_switch.ts");
    const retry = ["--with", "retry:times=1"];
    const local = await runCli([file, ...retry, "run", "--times", "3"], {
      env: { ...env, FAIL_ONCE_AT_ITERATION: "2" },
    });
    const simulated = await runCli(
      [
        file,
        ...retry,
        "step-functions",
        "simulate",
        "--token",
        "ci",
        "--retry-interval-scale",
        "0.001",
        "--env",
        "FAIL_ONCE_AT_ITERATION=2",
        "--times",
        "3",
      ],
      { env },
    );
    for (const [result, runId] of [
      [local, () => runIdFrom(local.stderr)],
      [simulated, () => simulatedRunIdFrom(simulated.stderr)],
    ] as const) {
      assert.equal(result.code, 0, result.stderr);
      const run = await Run.get(`RecursiveSwitch/${runId()}`, { datastore, namespace: null });
      const tasks = await (await run.step("loop_step")).tasks();
      assert.deepEqual(
        tasks.map((t) => [t.id, t.attempt]),
        [
          ["0-0", 0],
          ["0-1", 1],
          ["0-2", 0],
        ],
      );
      assert.deepEqual(await run.data?.seen, ["0-0:1", "0-1:2", "0-2:3"]);
    }
  });

  test("catchError inside a loop lets every iteration go on, locally and on Step Functions", async () => {
    const file = path.join(dir, "nested_loops.ts");
    const local = await runCli([file, "--with", "catchError", "run", "--rounds", "2"], {
      env: { ...env, FAIL_WORK: "y" },
    });
    const simulated = await runCli(
      [
        file,
        "--with",
        "catchError",
        "step-functions",
        "simulate",
        "--token",
        "ci",
        "--env",
        "FAIL_WORK=y",
        "--rounds",
        "2",
      ],
      { env },
    );
    assert.equal(local.code, 0, local.stderr);
    assert.equal(simulated.code, 0, simulated.stderr);
    const expected = await stored("NestedLoops", runIdFrom(local.stderr));
    assert.deepEqual(expected.artifacts["end/0"]?.log, [
      "1 steps, last 0-0-0 | b 0-0",
      "x@0-0.0,caught",
      "2 steps, last 0-1-1 | b 0-1",
      "x@0-1.0,caught",
    ]);
    assert.deepEqual(await stored("NestedLoops", simulatedRunIdFrom(simulated.stderr)), expected);
  });
});
