// executeTask in this process against a temporary local datastore: one attempt of one step, from
// its start record to its end record. A tiny flow stands in for a compiled one: the executor gets
// the same FlowSpec either way.
import assert from "node:assert/strict";
import { before, test } from "node:test";
import { tempDir } from "../../test/helpers/cli.js";
import { FlowStore } from "../datastore/flow-store.js";
import { openStorage } from "../datastore/open-storage.js";
import type { AttemptEndRecord } from "../datastore/records-types.js";
import { catchError } from "../flow/decorators.js";
import { flow } from "../flow/flow-builder.js";
import { executeTask, TASK_EXIT } from "./executor.js";
import type { TaskSpec } from "./task-spec.js";

const root = tempDir("flowship-executor-");

const tiny = flow("Tiny")
  .step(
    "start",
    (self) => {
      self.items = ["a", "b", "c"];
      self.word = "hi";
    },
    { next: "body", foreach: "items" },
  )
  .step(
    "body",
    (self) => {
      self.got = `${self.index}:${self.input}:${self.word}`;
    },
    { next: "end" },
  )
  .step("end", () => {});

const failing = flow("Failing")
  .step(
    "start",
    (self) => {
      self.before = 1;
      throw new Error("boom at 42");
    },
    { next: "end" },
  )
  .step("end", () => {});

// Fans out over an artifact no step set: flowship's own error, the same on every attempt.
const noItems = flow("NoItems")
  .step("start", () => {}, { next: "body", foreach: "items" })
  .step("body", () => {}, { next: "end" })
  .step("end", () => {});

function specOf(flowName: string, runId: string, step: string, extra: Partial<TaskSpec> = {}): TaskSpec {
  return {
    flow: flowName,
    runId,
    step,
    taskId: "0",
    attempt: 0,
    maxAttempts: 1,
    decorators: [],
    inputs: [],
    foreachStack: [],
    datastore: { kind: "local", root },
    parameters: {},
    tags: [],
    namespace: "user:test",
    user: "test",
    production: false,
    ...extra,
  };
}

async function storeOf(flowName: string): Promise<FlowStore> {
  return new FlowStore({ storage: await openStorage({ kind: "local", root }), flow: flowName });
}

async function artifact(store: FlowStore, end: AttemptEndRecord, name: string): Promise<unknown> {
  const ref = end.artifacts[name];
  assert.ok(ref, `artifact '${name}' stored`);
  await store.content.prefetch([ref]);
  return store.content.get(ref, name);
}

/** Runs `execute` with the task's stderr (its failure report) kept instead of shown. */
async function withStderr<T>(execute: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const write = process.stderr.write;
  let stderr = "";
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    return { value: await execute(), stderr };
  } finally {
    process.stderr.write = write;
  }
}

let tinyStore: FlowStore;
let startExit: number;
let startEnd: AttemptEndRecord | undefined;

before(async () => {
  tinyStore = await storeOf("Tiny");
  startExit = await executeTask(tiny, specOf("Tiny", "1", "start"));
  startEnd = await tinyStore.readAttemptEnd("1", "start", "0", 0);
});

test("a step that succeeds records its start, stores what it assigned and records its fan-out", async () => {
  assert.equal(startExit, TASK_EXIT.ok);
  const attempts = await tinyStore.readAttempts("1", "start", "0");
  assert.ok(attempts?.starts.has(0), "start record");
  assert.equal(startEnd?.status, "succeeded");
  assert.deepEqual(startEnd.foreach, { var: "items", numSplits: 3 });
  assert.deepEqual(await artifact(tinyStore, startEnd, "items"), ["a", "b", "c"]);
  assert.equal(await artifact(tinyStore, startEnd, "word"), "hi");
});

test("a foreach item gets its index, its input and the artifacts of the step before", async () => {
  // given: item 1 of the foreach the start step recorded
  const items = startEnd!.artifacts.items!;
  const frame = { step: "start", var: "items", index: 1, numSplits: 3, items };
  // when
  const exit = await executeTask(
    tiny,
    specOf("Tiny", "1", "body", { taskId: "1", inputs: ["1/start/0"], foreachStack: [frame] }),
  );
  // then
  assert.equal(exit, TASK_EXIT.ok);
  const end = await tinyStore.readAttemptEnd("1", "body", "1", 0);
  assert.equal(end?.status, "succeeded");
  assert.equal(await artifact(tinyStore, end, "got"), "1:b:hi");
  assert.deepEqual(await artifact(tinyStore, end, "items"), ["a", "b", "c"], "inherited");
});

test("a user error records a failed, retryable attempt with its message and what the step assigned", async () => {
  // when: the first of two attempts
  const { value: exit, stderr } = await withStderr(() =>
    executeTask(failing, specOf("Failing", "2", "start", { maxAttempts: 2 })),
  );
  // then
  assert.equal(exit, TASK_EXIT.failed);
  const store = await storeOf("Failing");
  const end = await store.readAttemptEnd("2", "start", "0", 0);
  assert.equal(end?.status, "failed");
  assert.equal(end.failure?.type, "Error");
  assert.equal(end.failure?.message, "boom at 42");
  assert.notEqual(end.failure?.retryable, false);
  assert.equal(await artifact(store, end, "before"), 1);
  assert.match(stderr, /Step 'start' failed: Error: boom at 42/);
});

test("catchError on the last attempt stores the failure as an artifact and the attempt succeeds", async () => {
  // when: the second and last attempt
  const { value: exit } = await withStderr(() =>
    executeTask(
      failing,
      specOf("Failing", "3", "start", {
        attempt: 1,
        maxAttempts: 2,
        decorators: [catchError({ var: "oops" })],
      }),
    ),
  );
  // then
  assert.equal(exit, TASK_EXIT.ok);
  const store = await storeOf("Failing");
  const end = await store.readAttemptEnd("3", "start", "0", 1);
  assert.equal(end?.status, "succeeded");
  assert.equal(end.caught, true);
  assert.equal(end.failure?.message, "boom at 42");
  const oops = (await artifact(store, end, "oops")) as { type: string; message: string };
  assert.equal(oops.type, "Error");
  assert.equal(oops.message, "boom at 42");
});

test("flowship's own error at the end of a step (a foreach over nothing) is recorded and never retried", async () => {
  // when
  const { value: exit } = await withStderr(() =>
    executeTask(noItems, specOf("NoItems", "4", "start", { maxAttempts: 3 })),
  );
  // then
  assert.equal(exit, TASK_EXIT.noRetry);
  const end = await (await storeOf("NoItems")).readAttemptEnd("4", "start", "0", 0);
  assert.equal(end?.status, "failed");
  assert.equal(end.failure?.code, "FS_FOREACH_ITEMS_MISSING");
  assert.equal(end.failure?.retryable, false);
  assert.deepEqual(end.artifacts, {});
});

test("a thrown value that throws when read (a getter, a Proxy) or holds no string is still recorded as the step's failure", async () => {
  // given: steps that throw values hostile to whoever describes them
  const getter = new Error("x");
  Object.defineProperty(getter, "message", {
    get() {
      throw new Error("no message");
    },
  });
  const badStack = Object.assign(new Error("plain message"), { stack: { not: "a string" } });
  const proxy = new Proxy(new Error("inner"), {
    get() {
      throw new Error("trap");
    },
  });
  const thrown = [getter, badStack, proxy];
  let next = 0;
  const hostile = flow("Hostile")
    .step(
      "start",
      () => {
        throw thrown[next++];
      },
      { next: "end" },
    )
    .step("end", () => {});
  const store = await storeOf("Hostile");
  const failures = [];
  for (const which of [0, 1, 2]) {
    // when
    const runId = `5${which}`;
    const { value: exit } = await withStderr(() => executeTask(hostile, specOf("Hostile", runId, "start")));
    // then: a failed attempt is recorded, not a task that died describing it
    assert.equal(exit, TASK_EXIT.failed);
    const end = await store.readAttemptEnd(runId, "start", "0", 0);
    assert.equal(end?.status, "failed");
    failures.push([end.failure?.type, end.failure?.message, typeof end.failure?.stack]);
  }
  assert.deepEqual(failures, [
    ["unknown", "a value was thrown that cannot be read (reading it threw: no message)", "undefined"],
    ["Error", "plain message", "undefined"],
    ["unknown", "a value was thrown that cannot be read (reading it threw: trap)", "undefined"],
  ]);
});
