// Attempts in worker threads: `run --isolation thread` (a thread each in the runtime) and the
// default, isolation "host" (a fresh thread each in a reusable host process). Tasks must stay as
// separate as module state goes, and every way a thread ends without recording a result must be a
// failed attempt with its reason, retried like a process's.
import assert from "node:assert/strict";
import path from "node:path";
import { describe, test } from "node:test";
import { Task } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { scanDatastore } from "../helpers/scan-datastore.js";

const FLOW = "test/fixtures/flows/threaded.ts";

describe("tasks in worker threads", () => {
  for (const isolation of ["thread", "host"] as const) {
    test(`each task starts from fresh module state; timeouts, full heaps, exits and stray throws are retried with their reasons (${isolation})`, async () => {
      // given: a 32 MB heap per task thread, so the hog fills it quickly
      const root = path.join(tempDir(), ".flowship");
      const env = flowshipEnv(root, { FLOWSHIP_TASK_NODE_ARGS: "--max-old-space-size=32" });
      // when: host is the default, so it is not named
      const args = isolation === "thread" ? ["--isolation", "thread"] : [];
      const result = await runCli([FLOW, "run", ...args], { env, killAfterMs: 120_000 });
      // then
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stderr,
        isolation === "thread"
          ? /\(max 16 tasks at once, in worker threads of this process\)/
          : /\(max 16 tasks at once\)/,
      );
      const runId = runIdFrom(result.stderr);
      const options = { datastore: root, namespace: null };
      const task = (step: string) => Task.get(`Threaded/${runId}/${step}/0`, options);

      const join = await task("join");
      assert.deepEqual(
        await join.load("seen"),
        Array.from({ length: 6 }, () => ({ module: 1, globals: 1, env: null })),
      );
      for (const item of [0, 5]) {
        const each = await Task.get(`Threaded/${runId}/each/${item}`, options);
        assert.equal(await each.stdout(), `item ${item} says hello\n`);
      }

      const firstFailure = async (step: string) => {
        const attempts = (await task(step)).attempts();
        assert.deepEqual(
          attempts.map((a) => a.status),
          ["failed", "succeeded"],
          step,
        );
        return attempts[0]!.failure;
      };
      assert.deepEqual(await firstFailure("busy"), {
        type: "Timeout",
        message: "timed out after 1 s and was killed",
        retryable: true,
      });
      assert.deepEqual(await firstFailure("hog"), {
        type: "OutOfMemory",
        message:
          "the task thread ran out of memory (JavaScript heap limit) and was stopped by exit code 1; raise the limit with FLOWSHIP_TASK_NODE_ARGS=--max-old-space-size=<MiB> (on AWS Batch, also resources({ memory }))",
        retryable: true,
      });
      assert.deepEqual(await firstFailure("exits"), {
        type: "TaskDied",
        message: "the task thread exited with code 3 without recording a result",
        retryable: true,
      });
      assert.deepEqual(await firstFailure("stray"), {
        type: "TaskDied",
        message: "the task thread exited with code 1 without recording a result",
        retryable: true,
      });
      // The stray error's stack is in the attempt's log, pointing at the TypeScript that threw.
      const stray = await Task.get(`Threaded/${runId}/stray/0`, { ...options, attempt: 0 });
      assert.match(await stray.stderr(), /^Error: stray timer failed\n {4}at .*threaded\.ts:\d+:\d+\)/);
      assert.equal(await (await task("end")).load("result"), 4);
      assert.deepEqual(scanDatastore(root).problems, []);
    });

    test(`a failing task stops its siblings' threads, even in loops that never yield (${isolation})`, async () => {
      // given
      const root = path.join(tempDir(), ".flowship");
      // when
      const result = await runCli([FLOW, "run", "--isolation", isolation], {
        env: flowshipEnv(root, { THREADED_FAIL: tempDir("flowship-threaded-started-") }),
        killAfterMs: 60_000,
      });
      // then
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.signal, null);
      const runId = runIdFrom(result.stderr);
      assert.match(result.stderr, /error: Run Threaded\/\d+ failed: .*item 0 is broken/);
      const options = { datastore: root, namespace: null };
      const sibling = await Task.get(`Threaded/${runId}/each/1`, options);
      assert.deepEqual(sibling.attempts()[0]!.failure, {
        type: "Cancelled",
        message: "cancelled: the run stopped before this task finished",
        retryable: false,
      });
      assert.deepEqual(scanDatastore(root).problems, []);
    });
  }

  test("FLOWSHIP_ISOLATION=thread applies without the flag; node flags a thread cannot take, and unknown isolations, are refused before the run", async () => {
    // given
    const root = path.join(tempDir(), ".flowship");
    // when
    const threaded = await runCli([FLOW, "run"], {
      env: flowshipEnv(root, {
        FLOWSHIP_ISOLATION: "thread",
        FLOWSHIP_TASK_NODE_ARGS: "--max-old-space-size=32 --expose-gc",
      }),
    });
    const unknown = await runCli([FLOW, "run", "--isolation", "fiber"], { env: flowshipEnv(root) });
    // then
    assert.equal(threaded.code, 2);
    assert.equal(
      threaded.stderr.trim(),
      "error: FLOWSHIP_TASK_NODE_ARGS '--expose-gc' cannot be given to a task thread (Initiated Worker with invalid execArgv flags: --expose-gc); run with --isolation process.",
    );
    assert.equal(unknown.code, 2);
    assert.equal(
      unknown.stderr.trim(),
      "error: Invalid --isolation 'fiber': give host, process, thread (FLOWSHIP_ISOLATION sets the default).",
    );
    assert.deepEqual(scanDatastore(root).problems, []);
  });
});
