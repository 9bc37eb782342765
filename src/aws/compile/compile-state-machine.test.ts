import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { catchError, environment, resources, retry, timeout } from "../../flow/decorators.js";
import { flow } from "../../flow/flow-builder.js";
import { validateFlow } from "../../graph/validate.js";
import type { JsonObject } from "../asl/json.js";
import { compileStateMachine } from "./compile-state-machine.js";

const noop = () => {};

/** Every state of a definition by name, nested ones included. */
function allStates(states: JsonObject, into = new Map<string, JsonObject>()): Map<string, JsonObject> {
  for (const [name, value] of Object.entries(states)) {
    const state = value as JsonObject;
    into.set(name, state);
    for (const branch of (state.Branches as JsonObject[] | undefined) ?? [])
      allStates(branch.States as JsonObject, into);
    const processor = state.ItemProcessor as JsonObject | undefined;
    if (processor) allStates(processor.States as JsonObject, into);
  }
  return into;
}

function env(state: JsonObject): Record<string, string> {
  const overrides = (state.Parameters as JsonObject).ContainerOverrides as JsonObject;
  return Object.fromEntries(
    (overrides.Environment as JsonObject[]).map((e) => [
      e.Name as string,
      (e.Value ?? `<${e["Value.$"]}>`) as string,
    ]),
  );
}

const splitFlow = () =>
  flow("SplitFlow")
    .step("start", noop, { next: ["a", "b"] })
    .step("a", noop, { next: "after_a" })
    .step("after_a", noop, { next: "join" })
    .step("b", noop, { next: "join" })
    .step("join", noop, { join: true, next: "end" })
    .step("end", noop);

const foreachFlow = () =>
  flow("EachFlow")
    .step("start", noop, { foreach: "xs", next: "outer" })
    .step("outer", noop, { foreach: "ys", next: "inner" })
    .step("inner", noop, { next: "inner_join" })
    .step("inner_join", noop, { join: true, next: "outer_join" })
    .step("outer_join", noop, { join: true, next: "end" })
    .step("end", noop);

describe("compileStateMachine: graph shapes", () => {
  test("input states come first, then one Task per step named after it", () => {
    // given
    const graph = validateFlow(flow("Linear").step("start", noop, { next: "end" }).step("end", noop));
    // when
    const { name, definition } = compileStateMachine(graph, { jobQueue: "q" });
    // then
    assert.equal(name, "Linear");
    assert.equal(definition.StartAt, "flowship-input");
    const states = definition.States as Record<string, JsonObject>;
    assert.deepEqual(Object.keys(states), [
      "flowship-input",
      "flowship-default-input",
      "flowship-unscheduled-input",
      "flowship-input-as-text",
      "flowship-invalid-input",
      "start",
      "end",
      "flowship-resume",
      "flowship-resume-clone",
      "flowship-resume-from",
      "flowship-invalid-resume",
    ]);
    assert.equal(states.start!.Resource, "arn:aws:states:::batch:submitJob.sync");
    assert.equal(states.start!.Next, "end");
    assert.equal(states.end!.End, true);
    assert.deepEqual(env(states.start!), {
      FLOWSHIP_RUN_ID: "<States.Format('sfn-{}', $$.Execution.Name)>",
      FLOWSHIP_STEP: "start",
      FLOWSHIP_TASK_ID: "0",
      FLOWSHIP_ATTEMPT: "<States.Format('{}', $$.State.RetryCount)>",
      FLOWSHIP_PARAMETERS: "<$.Parameters>",
      FLOWSHIP_SCHEDULED_TIME: "<$.ScheduledTime>",
    });
    assert.equal(env(states.end!).FLOWSHIP_PARAMETERS, undefined);
    assert.deepEqual(states.end!.ResultSelector, { taskId: "0" });
    assert.deepEqual((states.end!.Parameters as JsonObject).JobQueue, "q");
    assert.deepEqual((states.end!.Parameters as JsonObject).JobName, "Linear-end");
  });

  test("a static split is a Parallel whose branches stop before the join, which follows it", () => {
    // when
    const { definition } = compileStateMachine(validateFlow(splitFlow()));
    // then
    const states = definition.States as Record<string, JsonObject>;
    assert.equal(states.start!.Next, "start-split");
    const parallel = states["start-split"]!;
    assert.equal(parallel.Type, "Parallel");
    assert.equal(parallel.Next, "join");
    assert.equal(parallel.ResultPath, null);
    const branches = parallel.Branches as Array<{ StartAt: string; States: Record<string, JsonObject> }>;
    assert.deepEqual(
      branches.map((b) => [b.StartAt, Object.keys(b.States)]),
      [
        ["a", ["a", "after_a"]],
        ["b", ["b"]],
      ],
    );
    assert.equal(branches[0]!.States.a!.Next, "after_a");
    assert.equal(branches[0]!.States.after_a!.End, true);
    assert.equal(states.join!.Next, "end");
  });

  test("a foreach reads its indices from S3, then a Map runs the body; nested task ids extend the parent's", () => {
    // when
    const { definition } = compileStateMachine(validateFlow(foreachFlow()), {
      datastoreRoot: "s3://bucket/some/prefix/",
      maxWorkers: 7,
    });
    // then
    const states = allStates(definition.States);
    assert.equal(states.get("start")!.Next, "start-items");
    const items = states.get("start-items")!;
    assert.equal(items.Resource, "arn:aws:states:::aws-sdk:s3:getObject");
    assert.deepEqual(items.Parameters, {
      Bucket: "bucket",
      "Key.$":
        "States.Format('some/prefix/EachFlow/runs/sfn-{}/steps/start/0/foreach.json', $$.Execution.Name)",
    });
    assert.deepEqual(items.ResultSelector, { "doc.$": "States.StringToJson($.Body)" });
    const outerMap = states.get("start-foreach")!;
    assert.equal(outerMap.MaxConcurrency, 7);
    assert.equal(outerMap.ItemsPath, "$.foreach.doc.body.indices");
    assert.deepEqual(outerMap.ItemSelector, { "taskId.$": "States.Format('{}', $$.Map.Item.Value)" });
    assert.equal(outerMap.Next, "outer_join");
    assert.deepEqual(states.get("outer-items")!.Parameters, {
      Bucket: "bucket",
      "Key.$":
        "States.Format('some/prefix/EachFlow/runs/sfn-{}/steps/outer/{}/foreach.json', $$.Execution.Name, $.taskId)",
    });
    assert.deepEqual(states.get("outer-foreach")!.ItemSelector, {
      "taskId.$": "States.Format('{}.{}', $.taskId, $$.Map.Item.Value)",
    });
    assert.equal(states.get("outer-foreach")!.Next, "inner_join");
    assert.equal(states.get("inner")!.End, true);
    assert.equal(env(states.get("inner")!).FLOWSHIP_TASK_ID, "<$.taskId>");
    assert.equal(states.get("inner")!.ResultPath, null);
    assert.equal(states.get("inner_join")!.End, true);
    assert.equal(env(states.get("outer_join")!).FLOWSHIP_TASK_ID, "0");
  });
});

describe("compileStateMachine: decorators", () => {
  const decorated = () =>
    flow("Decorated")
      .step("start", noop, {
        next: "end",
        decorators: [
          retry({ times: 2, minutesBetweenRetries: 0.5 }),
          timeout({ seconds: 10 }),
          resources({ cpu: 2, memory: 8192, gpu: 1 }),
          environment({ vars: { MODE: "fast" } }),
          catchError({ var: "error" }),
        ],
      })
      .step("end", noop, { decorators: [retry({ times: 0 })] });

  test("retry, timeout, resources and environment become Retry, Batch Timeout and overrides", () => {
    // when
    const states = allStates(
      compileStateMachine(validateFlow(decorated()), { queueTimeoutSeconds: 100 }).definition.States,
    );
    // then
    const start = states.get("start")!;
    const retries = start.Retry as JsonObject[];
    assert.deepEqual(retries[0]!.ErrorEquals, [
      "Batch.AWSBatchException",
      "Batch.ServerException",
      "Batch.TooManyRequestsException",
    ]);
    assert.equal(retries[0]!.JitterStrategy, "FULL");
    assert.deepEqual(retries[1], {
      ErrorEquals: ["States.TaskFailed", "States.Timeout"],
      IntervalSeconds: 30,
      MaxAttempts: 2,
      BackoffRate: 1,
    });
    const parameters = start.Parameters as JsonObject;
    // Batch's limit adds the margin the task needs to store a timed-out step's artifacts itself;
    // the Task's guard adds the queue allowance.
    assert.deepEqual(parameters.Timeout, { AttemptDurationSeconds: 10 + 90 });
    assert.equal(start.TimeoutSeconds, 10 + 90 + 100);
    assert.deepEqual((parameters.ContainerOverrides as JsonObject).ResourceRequirements, [
      { Type: "VCPU", Value: "2" },
      { Type: "MEMORY", Value: "8192" },
      { Type: "GPU", Value: "1" },
    ]);
    assert.equal(env(start).MODE, "fast");
    assert.equal((states.get("end")!.Retry as JsonObject[]).length, 1, "times: 0 adds no retrier");
  });

  test("catchError routes every error to a fallback Task that records it and goes on", () => {
    // when
    const states = allStates(compileStateMachine(validateFlow(decorated())).definition.States);
    // then
    assert.deepEqual(states.get("start")!.Catch, [
      { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "start-fallback" },
    ]);
    const fallback = states.get("start-fallback")!;
    assert.equal(fallback.Next, "end");
    assert.equal(fallback.Catch, undefined);
    assert.deepEqual(fallback.ResultSelector, { taskId: "0" });
    assert.equal(env(fallback).FLOWSHIP_FALLBACK, "1");
    assert.equal(env(fallback).FLOWSHIP_FALLBACK_ERROR, "<$.failure.Error>");
    assert.equal(env(fallback).FLOWSHIP_STEP, "start");
  });

  test("--with decorators apply to steps that have none of their kind", () => {
    // when
    const states = allStates(
      compileStateMachine(validateFlow(decorated()), { withDecorators: [retry({ times: 5 })] }).definition
        .States,
    );
    // then
    assert.equal((states.get("start")!.Retry as JsonObject[])[1]!.MaxAttempts, 2);
    assert.equal((states.get("end")!.Retry as JsonObject[]).length, 1);
  });

  test("--workflow-timeout becomes the top-level TimeoutSeconds", () => {
    const { definition } = compileStateMachine(validateFlow(splitFlow()), { workflowTimeoutSeconds: 3600 });
    assert.equal(definition.TimeoutSeconds, 3600);
  });
});

describe("compileStateMachine: errors", () => {
  test("a state machine name AWS would reject is refused", () => {
    assert.throws(() => compileStateMachine(validateFlow(splitFlow()), { name: "has space" }), {
      code: "FS_SFN_BAD_NAME",
    });
    assert.throws(() => compileStateMachine(validateFlow(splitFlow()), { name: "x".repeat(81) }), {
      code: "FS_SFN_BAD_NAME",
    });
  });

  test("--with catchError skips foreach steps, which cannot be caught, and reaches the steps they fan out to", () => {
    // when
    const states = allStates(
      compileStateMachine(validateFlow(foreachFlow()), { withDecorators: [catchError()] }).definition.States,
    );
    // then
    assert.equal(states.get("start")!.Catch, undefined);
    assert.equal(states.get("outer")!.Catch, undefined);
    assert.equal(states.get("inner")!.Next, undefined);
    assert.equal(states.get("inner-fallback")!.End, true);
    assert.deepEqual(states.get("inner-fallback")!.ResultSelector, { recorded: true });
    assert.equal(states.get("inner-fallback")!.ResultPath, "$.failure");
    assert.equal((states.get("inner_join")!.Catch as JsonObject[])[0]!.Next, "inner_join-fallback");
  });

  test("environment variables flowship or Batch set, and AWS credentials, are refused", () => {
    for (const name of ["FLOWSHIP_RUN_ID", "AWS_BATCH_JOB_ID", "AWS_SECRET_ACCESS_KEY"]) {
      const bad = flow("BadEnv")
        .step("start", noop, { next: "end", decorators: [environment({ vars: { [name]: "x" } })] })
        .step("end", noop);
      assert.throws(() => compileStateMachine(validateFlow(bad)), { code: "FS_SFN_BAD_NAME" }, name);
    }
  });

  test("option values AWS would reject are refused", () => {
    assert.throws(() => compileStateMachine(validateFlow(splitFlow()), { maxWorkers: -1 }), {
      code: "FS_SFN_BAD_OPTION",
    });
    assert.throws(() => compileStateMachine(validateFlow(splitFlow()), { datastoreRoot: "/local/dir" }), {
      code: "FS_SFN_BAD_OPTION",
    });
  });

  test("every Batch Task has a time limit: its timeout plus queue time, else the task timeout", () => {
    // given: a step with a timeout, one without, and one whose failure is caught
    const graph = validateFlow(
      flow("TimedFlow")
        .step("start", noop, { next: "caught", decorators: [timeout({ seconds: 120 })] })
        .step("caught", noop, { next: "end", decorators: [catchError({ var: "e" })] })
        .step("end", noop),
    );
    const limits = (options: object) =>
      Object.fromEntries(
        [...allStates(compileStateMachine(graph, options).definition.States as JsonObject)]
          .filter(([, state]) => state.Type === "Task" && String(state.Resource).includes("batch"))
          .map(([name, state]) => [name, state.TimeoutSeconds]),
      );
    // then: a day by default; the option changes it; a timeout decorator adds the container's
    // margin and an hour of queue
    assert.deepEqual(limits({}), {
      start: 120 + 90 + 3600,
      caught: 86_400,
      "caught-fallback": 86_400,
      end: 86_400,
      "flowship-resume-clone": 86_400,
    });
    assert.deepEqual(limits({ taskTimeoutSeconds: 600 }), {
      start: 120 + 90 + 3600,
      caught: 600,
      "caught-fallback": 600,
      end: 600,
      "flowship-resume-clone": 600,
    });
    assert.throws(() => compileStateMachine(graph, { taskTimeoutSeconds: 30 }), {
      code: "FS_SFN_BAD_OPTION",
    });
  });
});

describe("compileStateMachine: loops", () => {
  test("says how many iterations of each loop fit in one execution: the bound a local run stops the loop at too", () => {
    // given: a loop of one step, and one of three steps
    const loop = (steps: number) => {
      let built = flow(`Loop${steps}`).step("start", noop, { next: "s0" });
      for (let i = 0; i < steps - 1; i++) built = built.step(`s${i}`, noop, { next: `s${i + 1}` });
      return validateFlow(
        built
          .step(`s${steps - 1}`, noop, { condition: "again", next: { yes: "s0", no: "end" } })
          .step("end", noop),
      );
    };
    // when
    const one = compileStateMachine(loop(1)).loops;
    const three = compileStateMachine(loop(3)).loops;
    // then: 90% of 25,000 history events, less the rest of the execution, per iteration's events
    assert.deepEqual(one, [{ header: "s0", eventsPerIteration: 18, maxIterations: 1248 }]);
    assert.deepEqual(three, [{ header: "s0", eventsPerIteration: 30, maxIterations: 749 }]);
  });
});
