// A loop whose cases never lead out would run locally until the disk is full (a task folder per
// iteration): a local run stops every loop at a bound — by default as many iterations as fit in
// one Step Functions execution, what `step-functions create` prints — and says so in one line
// (issue 34, item 10).
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

const FLOW = path.join(REPO, "test/fixtures/switches/recursive_switch.ts");

test("a loop that does not end stops at its bound, with one line naming the loop, the bound and the option", async () => {
  // given: a loop asked to go round a million times, and a bound of 3
  const root = path.join(tempDir(), ".flowship");
  const env = flowshipEnv(root);
  // when
  const result = await runCli([FLOW, "run", "--times", "1000000", "--max-loop-iterations", "3"], {
    env,
    killAfterMs: 60_000,
  });
  // then: three iterations ran, the fourth never started, and the run failed saying why
  assert.equal(result.code, 1, result.stderr);
  assert.match(
    result.stderr,
    /\nerror: Run RecursiveSwitch\/\d+ failed: The loop at step 'loop_step' ran 3 iterations without leaving, the most this run allows \(--max-loop-iterations\)\. Check the switch that should end it; a loop meant to run longer belongs in a foreach item of its own, or raise the bound with --max-loop-iterations\.\n$/,
  );
  assert.doesNotMatch(result.stderr, /^\s+at /m, "no stack trace");
  const run = await Run.get(`RecursiveSwitch/${runIdFrom(result.stderr)}`, {
    datastore: root,
    namespace: null,
  });
  assert.equal(run.status, "failed");
  const loop = await run.step("loop_step");
  assert.deepEqual(
    (await loop.tasks()).map((task) => task.id),
    ["0-0", "0-1", "0-2"],
  );
});

test("the programmatic Runner bounds loops as run does: maxLoopIterations, else what fits deployed", async () => {
  // given: the same loop through flowship/api, bounded at 2
  const { RunFailedError, Runner } = await import("flowship/api");
  const runner = new Runner(FLOW, { datastoreRoot: path.join(tempDir(), ".flowship"), maxLoopIterations: 2 });
  // when
  const error = await runner.run({ times: 1_000_000 }).then(
    () => assert.fail("the run should fail at its bound"),
    (e: unknown) => e,
  );
  // then: the run failed at the bound (without the option the Runner once ran such a loop past what
  // a deployed run allows)
  assert.ok(error instanceof RunFailedError, String(error));
  assert.match(
    error.run?.failureReason ?? "",
    /The loop at step 'loop_step' ran 2 iterations without leaving/,
  );
  assert.deepEqual(
    (await (await error.run!.step("loop_step")).tasks()).map((task) => task.id),
    ["0-0", "0-1"],
  );
});
