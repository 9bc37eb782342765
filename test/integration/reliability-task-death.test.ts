// A task that dies without recording anything (SIGKILL, or V8 out of memory) is a failed attempt
// with its reason, and is retried as its `retry` decorator allows: as a task process, and in the
// default task host (where the SIGKILL takes the host, and a full heap stops the thread).
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { Task } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { scanDatastore } from "../helpers/scan-datastore.js";

const FLOW = "test/fixtures/flows/dying_tasks.ts";
const RAISE =
  "raise the limit with FLOWSHIP_TASK_NODE_ARGS=--max-old-space-size=<MiB> (on AWS Batch, also resources({ memory }))";
const EXPECTED = {
  process: {
    killed: "the task process was killed by SIGKILL (out of memory, or killed from outside)",
    outOfMemory: `the task process ran out of memory (JavaScript heap limit) and was stopped by SIGABRT; ${RAISE}`,
  },
  host: {
    killed: "the task host was killed by SIGKILL (out of memory, or killed from outside)",
    outOfMemory: `the task thread ran out of memory (JavaScript heap limit) and was stopped by exit code 1; ${RAISE}`,
  },
};

describe("tasks that die", () => {
  for (const isolation of ["process", "host"] as const) {
    const KILLED = EXPECTED[isolation].killed;
    const OUT_OF_MEMORY = EXPECTED[isolation].outOfMemory;
    test(`SIGKILL and out of memory: a failed attempt with the reason, then a retry that succeeds (${isolation})`, async () => {
      // given: a 32 MB heap for every task, so the hog runs out quickly
      const root = path.join(tempDir(), ".flowship");
      const env = flowshipEnv(root, { FLOWSHIP_TASK_NODE_ARGS: "--max-old-space-size=32" });
      // when
      const result = await runCli([FLOW, "run", "--isolation", isolation], { env });
      // then
      assert.equal(result.code, 0, result.stderr);
      const runId = runIdFrom(result.stderr);
      const options = { datastore: root, namespace: null };
      const killed = await Task.get(`DyingTasks/${runId}/killed/0`, options);
      assert.deepEqual(
        killed.attempts().map((a) => [a.attempt, a.status, a.failure?.type, a.failure?.message]),
        [
          [0, "failed", "TaskDied", KILLED],
          [1, "succeeded", undefined, undefined],
        ],
      );
      const hog = await Task.get(`DyingTasks/${runId}/hog/0`, options);
      assert.deepEqual(
        hog.attempts().map((a) => [a.attempt, a.status, a.failure?.type, a.failure?.message]),
        [
          [0, "failed", "OutOfMemory", OUT_OF_MEMORY],
          [1, "succeeded", undefined, undefined],
        ],
      );
      assert.match(
        await (await Task.get(`DyingTasks/${runId}/hog/0`, { ...options, attempt: 0 })).stderr(),
        /heap/,
      );
      const end = await Task.get(`DyingTasks/${runId}/end/0`, options);
      assert.equal(await end.load("result"), 52);
      assert.deepEqual(scanDatastore(root).problems, []);
    });

    test(`when every attempt is killed the run fails, naming the task and the reason (${isolation})`, async () => {
      // given
      const root = path.join(tempDir(), ".flowship");
      // when
      const result = await runCli([FLOW, "run", "--isolation", isolation], {
        env: flowshipEnv(root, { ALWAYS_DIE: "1" }),
      });
      // then
      assert.equal(result.code, 1);
      const runId = runIdFrom(result.stderr);
      assert.equal(
        result.stderr.trim().split("\n").at(-1),
        `error: Run DyingTasks/${runId} failed: killed/0: TaskDied: ${KILLED}`,
      );
      const killed = await Task.get(`DyingTasks/${runId}/killed/0`, { datastore: root, namespace: null });
      assert.deepEqual(
        killed.attempts().map((a) => [a.status, a.failure?.message]),
        [
          ["failed", KILLED],
          ["failed", KILLED],
          ["failed", KILLED],
        ],
      );
    });
  }
});
