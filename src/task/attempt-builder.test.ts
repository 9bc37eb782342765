// The one builder of an attempt's TaskSpec and options, which the local runtime and the Batch
// entrypoint share: what each field follows from (the step's decorators, the run's record, the
// driver's choices), so both drivers start attempts alike.
import assert from "node:assert/strict";
import { test } from "node:test";
import { environment, retry, timeout } from "../flow/decorators.js";
import { buildAttemptOptions, buildTaskSpec, type TaskSpecFacts } from "./attempt-builder.js";

const run: TaskSpecFacts["run"] = {
  parameters: { alpha: { hash: "a1", size: 3, encoding: "json", type: "number" } },
  tags: ["team:x"],
  namespace: "user:ana",
  user: "ana",
  systemTags: ["user:ana", "project_branch:user.ana"],
};

const facts: TaskSpecFacts = {
  flow: "F",
  runId: "7",
  step: "train",
  taskId: "3",
  attempt: 0,
  decorators: [],
  inputs: ["7/start/0"],
  foreachStack: [],
  datastore: { kind: "local", root: "/tmp/ds" },
  run,
};

test("a spec carries the run's facts, and as many attempts as the step's retries allow", () => {
  // when
  const plain = buildTaskSpec(facts);
  const retried = buildTaskSpec({ ...facts, decorators: [retry({ times: 2 })] });
  // then
  assert.deepEqual(plain, {
    flow: "F",
    runId: "7",
    step: "train",
    taskId: "3",
    attempt: 0,
    maxAttempts: 1,
    decorators: [],
    inputs: ["7/start/0"],
    foreachStack: [],
    datastore: { kind: "local", root: "/tmp/ds" },
    parameters: run.parameters,
    tags: ["team:x"],
    namespace: "user:ana",
    user: "ana",
    production: false,
    projectBranch: "user.ana",
  });
  assert.equal(retried.maxAttempts, 3);
});

test("optional facts appear only when given: inputs, resume origin, scheduled time, foreach limit, fallback", () => {
  // given
  const limit = { maxWidth: 10, why: "allowed", remedy: "Pass fewer." };
  const { inputs, ...derivesItsInputs } = facts;
  // when
  const bare = buildTaskSpec({ ...derivesItsInputs, run: { ...run, systemTags: [] } });
  const full = buildTaskSpec({
    ...facts,
    run: { ...run, originRunId: "5", scheduledTime: "2026-01-01T00:00:00Z" },
    foreachLimit: limit,
    fallbackReason: "killed",
  });
  // then
  for (const key of [
    "inputs",
    "projectBranch",
    "originRunId",
    "scheduledTime",
    "foreachLimit",
    "fallbackReason",
  ]) {
    assert.equal(key in bare, false, key);
  }
  assert.deepEqual(full.inputs, inputs);
  assert.equal(full.originRunId, "5");
  assert.equal(full.scheduledTime, "2026-01-01T00:00:00Z");
  assert.deepEqual(full.foreachLimit, limit);
  assert.equal(full.fallbackReason, "killed");
});

test("parameters and tags too long for an environment variable are left for the task to read", () => {
  // given: tags of more than 32,000 characters
  const long = { ...run, tags: ["x".repeat(33_000)] };
  // when
  const spec = buildTaskSpec({ ...facts, run: long });
  // then
  assert.equal("parameters" in spec, false);
  assert.equal("tags" in spec, false);
});

test("production follows the run's namespace unless the driver says so", () => {
  const production = { ...run, namespace: "production:abc" };
  assert.equal(buildTaskSpec({ ...facts, run: production }).production, true);
  assert.equal(buildTaskSpec({ ...facts, production: true }).production, true);
});

test("attempt options: the step's environment over the driver's, its timeout, and a prefix naming the retry", () => {
  // given
  const decorators = [environment({ vars: { A: "step", B: "step" } }), timeout({ seconds: 90 })];
  const first = buildTaskSpec({ ...facts, decorators });
  const retry1 = buildTaskSpec({ ...facts, decorators, attempt: 1 });
  const print = () => {};
  const logFiles = { stdout: "/l/out", stderr: "/l/err" };
  // when
  const options = buildAttemptOptions({
    bundle: "/b/flow.mjs",
    spec: first,
    env: { A: "driver", C: "driver" },
    logFiles,
    print,
    mark: "m1",
  });
  const bare = buildAttemptOptions({ bundle: "/b/flow.mjs", spec: retry1, logFiles, print });
  const plain = buildAttemptOptions({ bundle: "/b/flow.mjs", spec: buildTaskSpec(facts), logFiles, print });
  // then
  assert.deepEqual(options, {
    bundle: "/b/flow.mjs",
    spec: first,
    env: { A: "step", B: "step", C: "driver" },
    logFiles,
    prefix: "[7/train/3]",
    print,
    timeoutSeconds: 90,
    mark: "m1",
  });
  assert.equal(bare.prefix, "[7/train/3#1]");
  assert.equal("mark" in bare, false);
  assert.deepEqual(plain.env, {});
  assert.equal("timeoutSeconds" in plain, false);
});
