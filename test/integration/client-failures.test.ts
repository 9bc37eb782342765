// The Client API on runs that did not simply succeed: a failed run, a retried task, a caught
// failure, a resumed run, and a run whose runtime was killed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { Flow, namespace, Run, setDatastore, Task } from "../../src/client/index.js";
import { BIN, flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

process.env.FLOWSHIP_USER = "tester";
delete process.env.FLOWSHIP_PRODUCTION_TOKEN;

const FLAKY = "test/fixtures/flows/client-flaky.ts";
const root = tempDir();
const env = flowshipEnv(root);
let failed: string;
let resumed: string;

before(async () => {
  // given: a run whose foreach item "b" fails (one task at a time, so item "c" never starts)
  const first = await runCli([FLAKY, "run", "--max-workers", "1"], { env });
  assert.equal(first.code, 1, first.stderr);
  failed = runIdFrom(first.stderr);
  // and: the same run resumed once the item is "fixed"
  const second = await runCli([FLAKY, "resume", "--origin-run-id", failed], {
    env: flowshipEnv(root, { CLIENT_FIXTURE_FIXED: "1" }),
  });
  assert.equal(second.code, 0, second.stderr);
  resumed = runIdFrom(second.stderr);
  setDatastore(root);
  namespace("user:tester");
});

describe("Client API on failed, retried, caught, resumed and killed runs", () => {
  test("a failed run has no end task and says why it failed", async () => {
    const run = await Run.get(`ClientFlakyFlow/${failed}`);
    assert.equal(run.status, "failed");
    assert.equal(run.successful, false);
    assert.equal(run.finished, false);
    assert.equal(run.endTask, undefined);
    assert.equal(run.data, undefined);
    assert.match(run.failureReason ?? "", /^process\/1: Error: cannot process b$/);
    assert.deepEqual(
      (await run.steps()).map((s) => s.name),
      ["start", "guarded", "fanout", "process"],
    );
    assert.equal((await (await Flow.get("ClientFlakyFlow")).latestSuccessfulRun())?.id, resumed);
  });

  test("the failed task carries its exception and its stderr", async () => {
    const task = await Task.get(`ClientFlakyFlow/${failed}/process/1`);
    assert.equal(task.status, "failed");
    assert.equal(task.successful, false);
    assert.equal(task.finished, false);
    assert.equal(task.exception?.type, "Error");
    assert.equal(task.exception?.message, "cannot process b");
    assert.equal(task.index, 1);
    assert.equal(await task.input(), "b");
    assert.equal(await task.stdout(), "processing b\n");
    assert.match(await task.stderr(), /cannot process b/);
    assert.deepEqual((await (await Run.get(`ClientFlakyFlow/${failed}`)).step("process")).taskIds, [
      "0",
      "1",
    ]);
  });

  test("a retried task lists every attempt and shows any of them", async () => {
    const latest = await Task.get(`ClientFlakyFlow/${failed}/start/0`);
    assert.equal(latest.attempt, 1);
    assert.equal(latest.successful, true);
    assert.deepEqual(
      latest.attempts().map((a) => [a.attempt, a.status, a.failure?.message]),
      [
        [0, "failed", "the first attempt always fails"],
        [1, "succeeded", undefined],
      ],
    );
    assert.equal(await latest.stdout(), "start attempt 1\n");
    assert.deepEqual(await latest.data.letters, ["a", "b", "c"]);
    const first = await Task.get(`ClientFlakyFlow/${failed}/start/0`, { attempt: 0 });
    assert.equal(first.status, "failed");
    assert.equal(first.exception?.message, "the first attempt always fails");
    assert.equal(await first.stdout(), "start attempt 0\n");
    assert.match(await first.stderr(), /^start warning on attempt 0\n/);
    assert.deepEqual(first.artifacts(), []);
  });

  test("a caught failure is finished but not successful, and keeps what was assigned", async () => {
    const task = await Task.get(`ClientFlakyFlow/${failed}/guarded/0`);
    assert.equal(task.status, "succeeded");
    assert.equal(task.finished, true);
    assert.equal(task.successful, false);
    assert.equal(task.exception?.message, "the guarded step failed");
    assert.equal(await task.data.before, "kept");
    assert.equal(((await task.data.guardError) as { message: string }).message, "the guarded step failed");
  });

  test("a resumed run knows its origin, and its cloned tasks point at theirs", async () => {
    const run = await Run.get(`ClientFlakyFlow/${resumed}`);
    assert.equal(run.originRunId, failed);
    assert.equal(run.successful, true);
    assert.equal(run.finished, true);
    assert.deepEqual(await run.data?.uppers, ["A", "B", "C"]);
    const cloned = await Task.get(`ClientFlakyFlow/${resumed}/start/0`);
    assert.equal(cloned.origin, `ClientFlakyFlow/${failed}/start/0`);
    assert.equal(await cloned.stdout(), "", "logs stay with the origin task");
    const original = await Task.get(`ClientFlakyFlow/${failed}/start/0`);
    assert.equal(cloned.artifact("letters").hash, original.artifact("letters").hash);
    const rerun = await Task.get(`ClientFlakyFlow/${resumed}/process/1`);
    assert.equal(rerun.origin, undefined);
    assert.equal(await rerun.data.upper, "B");
    assert.equal(original.origin, undefined);
  });

  test("a run is running while its runtime lives and killed once it is gone", async () => {
    // given: a run of a step that waits for its runtime to go away
    const child = spawn(process.execPath, [BIN, "test/fixtures/flows/client-slow.ts", "run"], {
      cwd: REPO,
      env: flowshipEnv(root),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise((resolve) => child.on("close", resolve));
    let output = "";
    const started = new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        output += d;
        if (output.includes("waiting")) resolve();
      });
    });
    child.stderr.on("data", () => {});
    await started;
    const runId = fs.readdirSync(path.join(root, "ClientSlowFlow/runs"))[0]!;
    // then
    assert.equal((await Run.get(`ClientSlowFlow/${runId}`)).status, "running");
    // when
    child.kill("SIGKILL");
    await exited;
    // then
    const run = await Run.get(`ClientSlowFlow/${runId}`);
    assert.equal(run.status, "killed");
    assert.equal(run.successful, false);
    assert.equal(run.endedAt, undefined);
  });
});
