// The state machine's retries, executed by the simulator: spaced as `retry` says (Step Functions
// honours minutesBetweenRetries, unlike Metaflow), none for `times: 0`, attempts counted right
// when Batch throttles, and a NonRetryableError never run again.
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { simulateExecution } from "../../src/aws/simulate/simulate.js";
import { LocalStorage } from "../../src/datastore/backends/local.js";
import { validateFlow } from "../../src/graph/validate.js";
import { flowshipEnv, runCli, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";
import { loadDeployable } from "../helpers/deploy-fixtures.js";

const FLOW = "test/fixtures/flows/sfn_retries.ts";

test("retries are spaced as configured and every attempt is recorded", async () => {
  // given
  const root = path.join(tempDir(), ".flowship");
  // when
  const result = await runCli([FLOW, "step-functions", "simulate"], { env: flowshipEnv(root) });
  // then
  assert.equal(result.code, 0, result.stderr);
  const runId = simulatedRunIdFrom(result.stderr);
  const attempts = await flowStore(root, "SfnRetries").readAttempts(runId, "flaky", "0");
  assert.equal(attempts?.latest, 2);
  assert.equal(attempts?.ends.get(0)?.status, "failed");
  assert.equal(attempts?.ends.get(2)?.status, "succeeded");
  // 0.02 minutes = 1.2 s between the end of one attempt and the start of the next
  for (const n of [1, 2]) {
    const gap =
      Date.parse(attempts!.starts.get(n)!.startedAt) - Date.parse(attempts!.ends.get(n - 1)!.endedAt);
    assert.ok(gap >= 1000, `attempt ${n} began ${gap} ms after attempt ${n - 1} ended`);
  }
});

test("retry({ times: 0 }) is never retried, and the run fails with the step's error", async () => {
  const root = path.join(tempDir(), ".flowship");
  const result = await runCli(
    [FLOW, "step-functions", "simulate", "--retry-interval-scale", "0.001", "--env", "FAIL_ONCE=1"],
    { env: flowshipEnv(root) },
  );
  assert.equal(result.code, 1);
  assert.match(result.stderr, /error: Simulated execution of 'SfnRetries' failed: States\.TaskFailed/);
  const runId = /run (sfn-local-\d+)/.exec(result.stderr)![1]!;
  const store = flowStore(root, "SfnRetries");
  assert.equal((await store.readAttempts(runId, "once", "0"))?.latest, 0);
  const end = await store.readRunEnd(runId);
  assert.equal(end?.status, "failed");
  assert.match(end?.reason ?? "", /once\/0: Error: must not be retried/);
});

test("attempts count only the runs of the step, even when Batch throttles; a NonRetryableError is not run again", async () => {
  // given: every Batch submit throttled once first, as AWS Batch may (the state retries it, and
  // $$.State.RetryCount counts that retry too)
  const root = path.join(tempDir(), ".flowship");
  const { flow, compiled } = await loadDeployable(
    "test/fixtures/flows/sfn_attempts.ts",
    path.join(root, "_code"),
  );
  const lines: string[] = [];
  // when
  const result = await simulateExecution({
    graph: validateFlow(flow),
    compiled,
    storage: new LocalStorage({ root }),
    datastoreRoot: root,
    input: { Parameters: "{}" },
    token: "attempts",
    executionName: "throttled",
    retryIntervalScale: 0.001,
    throttleSubmits: 1,
    print: (line) => lines.push(line),
  });
  // then: `caught` ran three times (its retry allows two retries), and was caught on the third
  const store = flowStore(root, "SfnAttempts");
  const caught = await store.readAttempts(result.runId, "caught", "0");
  assert.deepEqual([...caught!.ends.keys()], [0, 1, 2]);
  assert.deepEqual(
    [...caught!.ends.values()].map((e) => e.status),
    ["failed", "failed", "succeeded"],
  );
  // and: `fragile` ran once; Step Functions' retries did not run it again
  assert.equal((await store.readAttempts(result.runId, "fragile", "0"))?.latest, 0);
  assert.equal(
    lines.filter((l) => l.includes("fragile/0] not run again: attempt 0 failed with NonRetryableError"))
      .length,
    3,
  );
  assert.equal(result.status, "FAILED");
  const end = await store.readRunEnd(result.runId);
  assert.match(end?.reason ?? "", /^fragile\/0: NonRetryableError: the input is wrong/);
});
