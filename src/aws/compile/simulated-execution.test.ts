// Runs each example's compiled state machine in aws-local-stepfunctions (Distributed Maps through
// the simulator's child-execution runner), with fake Batch and S3 calls, and checks that every
// task of the flow ran once its inputs were done, inline and distributed.
// The examples import "flowship" (dist/): run `npm run build` first.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import branchFlow from "../../../examples/branch_flow.js";
import foreachFlow from "../../../examples/foreach_flow.js";
import hourlyFlow from "../../../examples/hourly_flow.js";
import nestedForeachFlow from "../../../examples/nested_foreach_flow.js";
import parameterFlow from "../../../examples/parameter_flow.js";
import resilientFlow from "../../../examples/resilient_flow.js";
import type { FlowSpec } from "../../flow/types.js";
import type { FlowGraph, GraphNode } from "../../graph/flow-graph.js";
import { validateFlow } from "../../graph/validate.js";
import type { JsonObject } from "../asl/json.js";
import { withDistributedMaps } from "../simulate/distributed-map.js";
import { loadLocalStepFunctions } from "../simulate/polyfill.js";
import type { DistributedMapSetting } from "./compile-options.js";
import { compileStateMachine } from "./compile-state-machine.js";

const { StateMachine: LocalStateMachine } = await loadLocalStepFunctions();

interface Call {
  seq: number;
  state: string;
  env: Record<string, string>;
  input: JsonObject;
}

interface Simulation {
  calls: Call[];
  getObjectKeys: string[];
  output: unknown;
}

interface SimulateOptions {
  /** Items of each foreach step. */
  widths?: Record<string, number>;
  /** Throw `States.TaskFailed` from these states' first N calls per task. */
  failures?: Record<string, number>;
  input?: JsonObject;
  /** @default "auto", which with the default 100 workers makes every foreach distributed */
  distributedMap?: DistributedMapSetting;
}

function taskStates(states: JsonObject, into: Array<[string, JsonObject]> = []): Array<[string, JsonObject]> {
  for (const [name, value] of Object.entries(states)) {
    const state = value as JsonObject;
    if (state.Type === "Task") into.push([name, state]);
    for (const b of (state.Branches as JsonObject[] | undefined) ?? [])
      taskStates(b.States as JsonObject, into);
    const processor = state.ItemProcessor as JsonObject | undefined;
    if (processor) taskStates(processor.States as JsonObject, into);
  }
  return into;
}

async function simulate(graph: FlowGraph, options: SimulateOptions = {}): Promise<Simulation> {
  const distributedMap = options.distributedMap ?? "auto";
  const { definition } = compileStateMachine(graph, {
    datastoreRoot: "s3://bucket/root",
    distributedMap,
    ...(distributedMap === "never" ? { maxWorkers: 10 } : {}),
  });
  const calls: Call[] = [];
  const getObjectKeys: string[] = [];
  const counts = new Map<string, number>();
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  for (const [name, state] of taskStates(definition.States)) {
    if (String(state.Resource).endsWith("s3:getObject")) {
      const step = name.replace(/-items$/, "");
      handlers[name] = async (input) => {
        getObjectKeys.push(input.Key);
        const indices = Array.from({ length: options.widths?.[step] ?? 2 }, (_, i) => i);
        return { Body: JSON.stringify({ sha256: "x", body: { indices } }) };
      };
      continue;
    }
    handlers[name] = async (input) => {
      const env = Object.fromEntries(input.ContainerOverrides.Environment.map((e: any) => [e.Name, e.Value]));
      calls.push({ seq: calls.length, state: name, env, input });
      const key = `${name}/${env.FLOWSHIP_TASK_ID}`;
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (count <= (options.failures?.[name] ?? 0)) {
        throw Object.assign(new Error(`job of ${key} failed`), { name: "States.TaskFailed" });
      }
      // What the .sync integration returns: a large job description the definition must drop.
      return { JobId: `job-${calls.length}`, Container: { LogStreamName: "x".repeat(2000) } };
    };
  }
  const retryIntervalOverrides = Object.fromEntries(Object.keys(handlers).map((name) => [name, 0]));
  // The definition as deployed must pass the library's validation, Distributed Maps included.
  new LocalStateMachine(definition as any, { validationOptions: { checkArn: true, checkPaths: true } });
  const distributed = await withDistributedMaps(definition, {
    readItems: async (_bucket, key) => {
      getObjectKeys.push(key);
      const step = /\/steps\/([^/]+)\//.exec(key)![1]!;
      return Array.from({ length: options.widths?.[step] ?? 2 }, (_, i) => i);
    },
    writeResults: async (_bucket, prefix, mapRunId) => `${prefix}/${mapRunId}/manifest.json`,
    runOptions: { overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides } },
  });
  Object.assign(handlers, distributed.handlers);
  const machine = new LocalStateMachine(distributed.definition, { validationOptions: { noValidate: true } });
  const execution = machine.run((options.input ?? {}) as any, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    // aws-local-stepfunctions does not model $$.State; attempts are counted by the handlers instead.
    context: { Execution: { Name: "exec-1" }, State: { RetryCount: 0 } },
  });
  return { calls, getObjectKeys, output: await execution.result };
}

/** The task ids a foreach step's task `id` fans out to. */
function childIds(foreach: GraphNode, id: string, widths: Record<string, number>): string[] {
  const width = widths[foreach.name] ?? 2;
  return Array.from({ length: width }, (_, k) => (foreach.foreachDepth === 0 ? `${k}` : `${id}.${k}`));
}

/** The tasks a flow must run (`step/taskId`) with the tasks each one reads. */
function expectedTasks(graph: FlowGraph, widths: Record<string, number>): Map<string, string[]> {
  const ids = new Map<string, string[]>([["start", ["0"]]]);
  const inputs = new Map<string, string[]>([["start/0", []]]);
  for (const name of graph.order.slice(1)) {
    const node = graph.nodes.get(name)!;
    const closed = node.joins ? graph.nodes.get(node.joins)! : undefined;
    if (closed?.type === "foreach") {
      ids.set(name, ids.get(closed.name)!);
      for (const id of ids.get(name)!) {
        const children = childIds(closed, id, widths);
        inputs.set(
          `${name}/${id}`,
          node.prev.flatMap((p) => children.map((c) => `${p}/${c}`)),
        );
      }
      continue;
    }
    const parent = graph.nodes.get(node.prev[0]!)!;
    if (parent.type === "foreach") {
      ids.set(name, []);
      for (const id of ids.get(parent.name)!) {
        for (const child of childIds(parent, id, widths)) {
          ids.get(name)!.push(child);
          inputs.set(`${name}/${child}`, [`${parent.name}/${id}`]);
        }
      }
      continue;
    }
    ids.set(name, ids.get(parent.name)!);
    for (const id of ids.get(name)!)
      inputs.set(
        `${name}/${id}`,
        node.prev.map((p) => `${p}/${id}`),
      );
  }
  return inputs;
}

/** Every expected task ran (last attempt succeeded), none else, each after all of its inputs. */
function assertRanInOrder(
  graph: FlowGraph,
  simulation: Simulation,
  widths: Record<string, number> = {},
): void {
  const expected = expectedTasks(graph, widths);
  const steps = simulation.calls.filter((c) => graph.nodes.has(c.state));
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const call of steps) {
    const key = `${call.env.FLOWSHIP_STEP}/${call.env.FLOWSHIP_TASK_ID}`;
    if (!first.has(key)) first.set(key, call.seq);
    last.set(key, call.seq);
  }
  assert.deepEqual([...first.keys()].sort(), [...expected.keys()].sort());
  for (const [task, inputs] of expected) {
    for (const input of inputs) {
      assert.ok(last.get(input)! < first.get(task)!, `${task} started before its input ${input} ran`);
    }
  }
}

const cases: Array<[string, FlowSpec]> = [
  ["ParameterFlow", parameterFlow],
  ["HourlyFlow", hourlyFlow],
  ["BranchFlow", branchFlow],
  ["ForeachFlow", foreachFlow],
  ["NestedForeachFlow", nestedForeachFlow],
  ["ResilientFlow", resilientFlow],
];

describe("compiled examples run in aws-local-stepfunctions", () => {
  for (const mode of ["never", "always"] as const) {
    const maps = mode === "never" ? "inline Maps" : "Distributed Maps";
    for (const [name, spec] of cases) {
      test(`${name} (${maps}): every task runs once its inputs are done, and the payload stays { taskId }`, async () => {
        // given
        const graph = validateFlow(spec);
        // when
        const simulation = await simulate(graph, {
          widths: { start: 3, per_model: 3 },
          distributedMap: mode,
        });
        // then
        assertRanInOrder(graph, simulation, { start: 3, per_model: 3 });
        assert.deepEqual(simulation.output, { taskId: "0" });
        // Child executions have names of their own: the run id must come down with the input.
        for (const call of simulation.calls) assert.equal(call.env.FLOWSHIP_RUN_ID, "sfn-exec-1");
      });
    }

    test(`NestedForeachFlow (${maps}): train runs for task ids 0.0 … 1.2 and reads each foreach's own indices`, async () => {
      // given
      const graph = validateFlow(nestedForeachFlow);
      // when
      const simulation = await simulate(graph, { widths: { start: 2, per_model: 3 }, distributedMap: mode });
      // then
      const train = simulation.calls.filter((c) => c.state === "train").map((c) => c.env.FLOWSHIP_TASK_ID);
      assert.deepEqual(train.sort(), ["0.0", "0.1", "0.2", "1.0", "1.1", "1.2"]);
      const file = mode === "never" ? "foreach.json" : "foreach-items.json";
      assert.deepEqual(simulation.getObjectKeys.sort(), [
        `root/NestedForeachFlow/runs/sfn-exec-1/steps/per_model/0/${file}`,
        `root/NestedForeachFlow/runs/sfn-exec-1/steps/per_model/1/${file}`,
        `root/NestedForeachFlow/runs/sfn-exec-1/steps/start/0/${file}`,
      ]);
      assertRanInOrder(graph, simulation, { start: 2, per_model: 3 });
    });
  }

  test("ParameterFlow: the start step gets the execution's Parameters (text or object), or {} without them", async () => {
    const graph = validateFlow(parameterFlow);
    const given = await simulate(graph, { input: { Parameters: '{"alpha":0.5}' } });
    assert.equal(given.calls[0]!.env.FLOWSHIP_PARAMETERS, '{"alpha":0.5}');
    const none = await simulate(graph);
    assert.equal(none.calls[0]!.env.FLOWSHIP_PARAMETERS, "{}");
    // An object (what an event's input transformer builds) becomes its JSON text.
    const object = await simulate(graph, { input: { Parameters: { alpha: 0.5 } } });
    assert.equal(object.calls[0]!.env.FLOWSHIP_PARAMETERS, '{"alpha":0.5}');
    for (const Parameters of [0.5, true, null]) {
      await assert.rejects(
        simulate(graph, { input: { Parameters } }),
        /Parameters must be an object or its JSON text, not a number, a boolean or null/,
      );
    }
  });

  test("ResilientFlow: retries re-submit the job; a caught failure runs the fallback and the flow goes on", async () => {
    // given: start fails twice (it may retry 3 times), risky always fails (no retries, catchError)
    const graph = validateFlow(resilientFlow);
    // when
    const simulation = await simulate(graph, { failures: { start: 2, risky: 99 } });
    // then
    const states = simulation.calls.map((c) => c.state);
    assert.deepEqual(states, ["start", "start", "start", "risky", "risky-fallback", "bounded", "end"]);
    const fallback = simulation.calls[4]!.env;
    assert.equal(fallback.FLOWSHIP_FALLBACK, "1");
    assert.equal(fallback.FLOWSHIP_FALLBACK_ERROR, "States.TaskFailed");
    assert.equal(fallback.FLOWSHIP_STEP, "risky");
    assert.deepEqual(simulation.calls[5]!.input.Timeout, { AttemptDurationSeconds: 30 + 90 });
  });

  test("a step that keeps failing without catchError fails the execution", async () => {
    const graph = validateFlow(branchFlow);
    await assert.rejects(simulate(graph, { failures: { square: 1 } }), /job of square\/0 failed/);
  });
});
