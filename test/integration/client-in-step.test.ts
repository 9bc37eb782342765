// The Client API inside a step reads the datastore of the step's own run — a local folder given
// with --datastore-root (not the one the shell names), or S3 with its endpoint in production.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const FLOW = path.join(REPO, "test/fixtures/flows/client_in_step.ts");

describe("Client API inside a step", () => {
  let server: S3TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(() => server.close());

  for (const isolation of ["process", "thread"]) {
    test(`reads the run's local datastore, not the one the environment names (${isolation})`, async () => {
      // given: the shell points at another datastore than the run's
      const root = path.join(tempDir(), "runs-here");
      const env = flowshipEnv(path.join(tempDir(), "not-here"));
      // when
      const result = await runCli([FLOW, "--datastore-root", root, "run", "--isolation", isolation], { env });
      // then
      assert.equal(result.code, 0, result.stderr);
      const run = await Run.get(`ClientInStepFlow/${runIdFrom(result.stderr)}`, {
        datastore: root,
        namespace: null,
      });
      assert.deepEqual([await run.data?.seen, await run.data?.runs], [42, 1]);
    });
  }

  test("reads the production run's S3 datastore, with its endpoint, in a simulated Batch job", async () => {
    // given
    const s3Root = `s3://${server.bucket}/client-in-step`;
    const env = flowshipEnv(tempDir(), { FLOWSHIP_S3_ENDPOINT: server.endpoint, AWS_REGION: "us-east-1" });
    // when
    const result = await runCli(
      [FLOW, "step-functions", "simulate", "--datastore", "s3", "--s3-root", s3Root, "--token", "cis"],
      { env },
    );
    // then
    assert.equal(result.code, 0, result.stderr);
    const run = await Run.get(`ClientInStepFlow/${simulatedRunIdFrom(result.stderr)}`, {
      datastore: { kind: "s3", root: s3Root, endpoint: server.endpoint },
      namespace: "production:cis",
    });
    assert.deepEqual([await run.data?.seen, await run.data?.runs], [42, 1]);
  });
});
