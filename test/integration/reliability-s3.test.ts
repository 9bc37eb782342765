// S3 misbehaving under a running flow: the compiled state machine executed by the simulator, every
// Batch job its real command in the sandbox, on S3 served by s3rver on loopback. An outage of a few
// seconds is ridden out by retries; throttling (503 SlowDown) is retried; a store that stays
// away fails the run with a clear error. Never a partial object.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout } from "node:timers/promises";
import { Run } from "../../src/client/index.js";
import { type CliResult, flowshipEnv, runCli, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { CRASH_FLOW, crashFlowArtifacts } from "../helpers/crash-flow.js";
import { runArtifacts } from "../helpers/run-artifacts.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";
import { scanS3 } from "../helpers/scan-s3.js";

let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(() => server.close());

/** A simulated execution of the crash flow in its own prefix of the bucket. */
function simulate(prefix: string, jobEnv: Record<string, string> = {}): Promise<CliResult> {
  const env = flowshipEnv(path.join(tempDir(), ".flowship"), {
    FLOWSHIP_S3_ENDPOINT: server.endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
  });
  return runCli(
    [
      CRASH_FLOW,
      "step-functions",
      "simulate",
      "--datastore",
      "s3",
      "--s3-root",
      `s3://${server.bucket}/${prefix}`,
      "--token",
      "ci",
      "--retry-interval-scale",
      "0.001",
      // The jobs get only what Batch gives them: settings for them travel as the image's variables.
      ...Object.entries(jobEnv).flatMap(([name, value]) => ["--env", `${name}=${value}`]),
    ],
    { env },
  );
}

/** Resolves once a request for a key containing `fragment` under `prefix` has come in. */
async function requestSeen(prefix: string, fragment: string): Promise<number> {
  // Bounded, so a simulation that never gets that far fails the test instead of hanging it.
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const index = server.requests.findIndex((r) => r.url.includes(`/${prefix}/`) && r.url.includes(fragment));
    if (index >= 0) return index;
    await setTimeout(10);
  }
  throw new Error(`no request for '${fragment}' under '${prefix}' within 60 s`);
}

const datastore = (prefix: string) => ({
  kind: "s3" as const,
  root: `s3://${server.bucket}/${prefix}`,
  endpoint: server.endpoint,
});

async function assertWhole(prefix: string): Promise<void> {
  const scan = await scanS3({ endpoint: server.endpoint, bucket: server.bucket, prefix });
  assert.ok(scan.records > 0 && scan.blobs > 0, "the scan read the run's objects");
  assert.deepEqual(scan.problems, []);
}

describe("S3 faults under a simulated execution", () => {
  test("S3 stopped for 2 s while the foreach runs: retried, the run succeeds with every artifact", async () => {
    // given: a run whose foreach tasks are busy when the store goes away
    const prefix = "outage";
    const running = simulate(prefix, { STEP_DELAY_MS: "400" });
    const first = await requestSeen(prefix, "/steps/work/");
    // when
    await server.outage(2000);
    const restartedAt = server.requests.length;
    const result = await running;
    // then
    assert.equal(result.code, 0, result.stderr);
    const runId = simulatedRunIdFrom(result.stderr);
    assert.ok(first < restartedAt, "the outage came after the foreach started");
    assert.ok(
      server.requests
        .slice(restartedAt)
        .some((r) => r.url.includes(`/${prefix}/CrashFlow/runs/${runId}/steps/work/`)),
      "foreach tasks still worked after the outage",
    );
    assert.deepEqual(await runArtifacts(datastore(prefix), `CrashFlow/${runId}`), crashFlowArtifacts(3));
    await assertWhole(prefix);
  });

  test("503 SlowDown on writes is retried with backoff: the run succeeds with every artifact", async () => {
    // given: writes of records and artifact blobs of the run are throttled, each at most twice
    const prefix = "throttled";
    const put = (fragment: string) => (r: { method: string; url: string }) =>
      r.method === "PUT" && r.url.includes(`/${prefix}/CrashFlow/`) && r.url.includes(fragment);
    const targets = ["/steps/work/1/0.end.json", "/data/"];
    for (const fragment of targets)
      server.failNext({ count: 2, status: 503, code: "SlowDown", match: put(fragment) });
    const before = server.requests.length;
    // when
    const result = await simulate(prefix);
    // then
    assert.equal(result.code, 0, result.stderr);
    for (const fragment of targets) {
      const sent = server.requests.slice(before).filter(put(fragment));
      const distinct = new Set(sent.map((r) => r.url.split("?")[0]));
      assert.ok(sent.length >= distinct.size + 2, `throttled writes of ${fragment} were sent again`);
    }
    const runId = simulatedRunIdFrom(result.stderr);
    assert.deepEqual(await runArtifacts(datastore(prefix), `CrashFlow/${runId}`), crashFlowArtifacts(3));
    await assertWhole(prefix);
  });

  test("a store that stays away beyond the retries fails the run with a clear error, nothing partial", async () => {
    // given: one attempt per request, and the store gone while the foreach runs
    const prefix = "gone";
    const running = simulate(prefix, { STEP_DELAY_MS: "200", FLOWSHIP_S3_MAX_ATTEMPTS: "1" });
    await requestSeen(prefix, "/steps/work/");
    // when
    await server.outage(2000);
    const result = await running;
    // then
    assert.equal(result.code, 1);
    const runId = simulatedRunIdFrom(result.stderr);
    const lines = result.stderr.split("\n");
    // The foreach is a Distributed Map: its failed children fail the Map Run, naming the first.
    assert.ok(
      lines.some((line) =>
        /^error: Simulated execution of 'CrashFlow' failed: States\.ExceedToleratedFailureThreshold: The Map Run of state 'fan-foreach' failed: [1-4] of 4 child executions failed, the first with States\.TaskFailed: Essential container in task exited with code 1\.$/.test(
          line,
        ),
      ),
      result.stderr,
    );
    // The Batch task that gave up says why, in one line naming the object.
    const unavailable = new RegExp(
      `^error: S3 unavailable, cannot (read|write|list|check|create): 's3://${server.bucket}/gone/CrashFlow/[^']+'\\. Gave up after 1 attempts \\(.+\\); check FLOWSHIP_S3_ENDPOINT and the network, or raise FLOWSHIP_S3_MAX_ATTEMPTS\\.$`,
    );
    assert.ok(
      lines.some((line) => unavailable.test(line)),
      result.stderr,
    );
    const run = await Run.get(`CrashFlow/${runId}`, { datastore: datastore(prefix), namespace: null });
    assert.equal(run.successful, false);
    await assertWhole(prefix);
  });
});
