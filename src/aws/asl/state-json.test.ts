import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ChoiceState } from "./choice-state.js";
import { FailState } from "./fail-state.js";
import { MapState } from "./map-state.js";
import { ParallelState } from "./parallel-state.js";
import { PassState } from "./pass-state.js";
import { StateGraph } from "./state-graph.js";
import { StateMachine } from "./state-machine.js";
import { TaskState } from "./task-state.js";

const task = (next?: string) =>
  new TaskState({
    resource: "arn:aws:states:::batch:submitJob.sync",
    parameters: { JobName: "j" },
    ...(next ? { next } : {}),
  });

describe("state builders render Amazon States Language", () => {
  test("a Task goes Next, or ends its scope without a next state", () => {
    assert.deepEqual(task("b").toJson(), {
      Type: "Task",
      Resource: "arn:aws:states:::batch:submitJob.sync",
      Parameters: { JobName: "j" },
      Next: "b",
    });
    assert.equal(task().toJson().End, true);
  });

  test("a Task renders Retry, Catch, ResultPath null and TimeoutSeconds; targets include catch targets", () => {
    // given
    const state = new TaskState({
      resource: "r",
      parameters: {},
      resultPath: null,
      timeoutSeconds: 90,
      retry: [{ errorEquals: ["States.TaskFailed"], maxAttempts: 2, intervalSeconds: 60, backoffRate: 1 }],
      catch: [{ errorEquals: ["States.ALL"], resultPath: "$.failure", next: "fallback" }],
      next: "after",
    });
    // when
    const json = state.toJson();
    // then
    assert.equal(json.ResultPath, null);
    assert.equal(json.TimeoutSeconds, 90);
    assert.deepEqual(json.Retry, [
      { ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 60, MaxAttempts: 2, BackoffRate: 1 },
    ]);
    assert.deepEqual(json.Catch, [
      { ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: "fallback" },
    ]);
    assert.deepEqual(state.targets(), ["after", "fallback"]);
  });

  test("Parallel, Map, Pass, Choice and Fail render their own fields", () => {
    const branch = new StateGraph().add("a", task());
    assert.deepEqual(new ParallelState({ branches: [branch], resultPath: null, next: "j" }).toJson(), {
      Type: "Parallel",
      Branches: [{ StartAt: "a", States: { a: task().toJson() } }],
      ResultPath: null,
      Next: "j",
    });
    const map = new MapState({ itemsPath: "$.items", maxConcurrency: 4, itemProcessor: branch }).toJson();
    assert.deepEqual(map.ItemProcessor, {
      ProcessorConfig: { Mode: "INLINE" },
      StartAt: "a",
      States: { a: task().toJson() },
    });
    assert.equal(map.MaxConcurrency, 4);
    assert.deepEqual(new PassState({ result: { x: 1 }, next: "a" }).toJson(), {
      Type: "Pass",
      Result: { x: 1 },
      Next: "a",
    });
    const choice = new ChoiceState({
      choices: [{ condition: { not: { variable: "$.p", isPresent: true } }, next: "a" }],
      default: "b",
    });
    assert.deepEqual(choice.toJson(), {
      Type: "Choice",
      Choices: [{ Not: { Variable: "$.p", IsPresent: true }, Next: "a" }],
      Default: "b",
    });
    assert.deepEqual(choice.targets(), ["a", "b"]);
    assert.deepEqual(new FailState({ error: "E", cause: "C" }).toJson(), {
      Type: "Fail",
      Error: "E",
      Cause: "C",
    });
  });

  test("a state graph starts at its first state and refuses a name twice", () => {
    // given
    const graph = new StateGraph().add("first", task("second")).add("second", task());
    // when / then
    assert.equal(graph.startAt, "first");
    assert.throws(() => graph.add("first", task()), /State 'first' is added twice/);
    assert.deepEqual(Object.keys(new StateMachine({ graph, timeoutSeconds: 60 }).toJson()), [
      "StartAt",
      "States",
      "TimeoutSeconds",
    ]);
  });
});
