import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import type { JobDetail, SubmitJobCommandInput } from "@aws-sdk/client-batch";
import { FlowStore } from "../../datastore/flow-store.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { TaskAttemptOptions } from "../../task/task-attempt.js";
import type { BatchDeployClient } from "../deploy/batch-client.js";
import { BatchJobAttempt, type BatchRunContext } from "./batch-job-attempt.js";
import { JobWatcher } from "./job-watcher.js";

/** A Batch that keeps every job in `status` with `reason`, and remembers what it was asked. */
function fakeBatch(status: string, reason?: string) {
  const calls = { submitted: [] as SubmitJobCommandInput[], terminated: [] as string[] };
  const client = {
    submitJob: async (input: SubmitJobCommandInput) => {
      calls.submitted.push(input);
      return "job-1";
    },
    describeJobs: async (ids: string[]): Promise<JobDetail[]> =>
      ids.map((jobId) => ({ jobId, status, statusReason: reason }) as JobDetail),
    terminateJob: async (id: string) => {
      calls.terminated.push(id);
    },
  } as unknown as BatchDeployClient;
  return { client, calls };
}

async function setUp(client: BatchDeployClient, overrides: Partial<BatchRunContext> = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-batch-attempt-"));
  const store = new FlowStore({ storage: await openStorage({ kind: "local", root }), flow: "F" });
  const lines: string[] = [];
  const options: TaskAttemptOptions = {
    bundle: "",
    spec: {
      flow: "F",
      runId: "1",
      step: "fit",
      taskId: "0",
      attempt: 0,
      maxAttempts: 1,
      decorators: [],
      inputs: [],
      foreachStack: [],
      datastore: { kind: "local", root },
    } as unknown as TaskAttemptOptions["spec"],
    env: {},
    logFiles: { stdout: path.join(root, "out.log"), stderr: path.join(root, "err.log") },
    prefix: "[1/fit/0]",
    print: (line) => lines.push(line),
  };
  const context: BatchRunContext = {
    client,
    watcher: new JobWatcher({ client, intervalSeconds: 0.01 }),
    store,
    computeOf: () => "ec2",
    defaultQueue: "q1",
    jobDefinition: async () => "arn:def:1",
    runnableTimeoutSeconds: 0.05,
    liveLogSeconds: 0.05,
    ...overrides,
  };
  return { options, context, store, lines };
}

test("a job stuck RUNNABLE fails its attempt naming the queue and Batch's reason", async () => {
  // given
  const { client, calls } = fakeBatch("RUNNABLE", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");
  const { options, context, store } = await setUp(client);
  // when
  const exit = await new BatchJobAttempt(options, {}, context).exited;
  // then
  assert.equal(exit.cancelled, false);
  assert.deepEqual(calls.terminated, ["job-1"]);
  const end = await store.readAttemptEnd("1", "fit", "0", 0);
  assert.equal(end?.failure?.type, "BatchJobFailed");
  assert.match(
    end?.failure?.message ?? "",
    /RUNNABLE on queue 'q1'.*MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT/,
  );
});

test("on Fargate the job asks for the nearest valid size; the decorator's queue wins", async () => {
  // given
  const { client, calls } = fakeBatch("SUCCEEDED");
  const { options, context } = await setUp(client, { computeOf: () => "fargate" });
  // when
  const exit = await new BatchJobAttempt(options, { cpu: 1, memory: 10_000, queue: "gpu-q" }, context).exited;
  // then
  assert.equal(exit.code, 0);
  assert.equal(calls.submitted[0]!.jobQueue, "gpu-q");
  assert.deepEqual(calls.submitted[0]!.containerOverrides!.resourceRequirements, [
    { type: "VCPU", value: "2" },
    { type: "MEMORY", value: "10240" },
  ]);
});

test("an attempt stopped before its job was submitted submits nothing", async () => {
  // given
  const { client, calls } = fakeBatch("RUNNING");
  let release!: () => void;
  const { options, context } = await setUp(client, {
    jobDefinition: () => new Promise((resolve) => (release = () => resolve("arn:def:1"))),
  });
  const attempt = new BatchJobAttempt(options, {}, context);
  // when
  attempt.kill({ cancelled: true });
  release();
  const exit = await attempt.exited;
  // then
  assert.equal(exit.neverStarted, true);
  assert.equal(calls.submitted.length, 0);
});
