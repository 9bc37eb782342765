// `self.input` in a foreach body is the task's item wherever the body goes: after a split and join
// inside it, after the variable was reassigned, for a list of ≥ 64 MiB (named by XXH3), and on S3.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const FLOW = path.join(REPO, "test/fixtures/flows/foreach_input.ts");
const WORDS = ["aaaa", "bbbb", "cccc"];

describe("self.input in a foreach body", () => {
  let server: S3TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(() => server.close());

  test("after a split and join inside the body, and after the variable is reassigned", async () => {
    const root = tempDir();
    const result = await runCli([FLOW, "run"], { env: flowshipEnv(root) });
    assert.equal(result.code, 0, result.stderr);
    const run = await Run.get(`ForeachInputFlow/${runIdFrom(result.stderr)}`, {
      datastore: root,
      namespace: null,
    });
    assert.deepEqual(await run.data?.words, WORDS);
  });

  test("with a list of 3 × 70 MB, stored under an XXH3 name", async () => {
    const root = tempDir();
    const result = await runCli([FLOW, "run"], {
      env: flowshipEnv(root, { FOREACH_INPUT_SIZE: "70000000" }),
    });
    assert.equal(result.code, 0, result.stderr);
    const run = await Run.get(`ForeachInputFlow/${runIdFrom(result.stderr)}`, {
      datastore: root,
      namespace: null,
    });
    assert.deepEqual(await run.data?.words, WORDS);
  });

  test("on S3, in simulated Batch jobs", async () => {
    const s3Root = `s3://${server.bucket}/foreach-input`;
    const env = flowshipEnv(tempDir(), { FLOWSHIP_S3_ENDPOINT: server.endpoint, AWS_REGION: "us-east-1" });
    const result = await runCli(
      [FLOW, "step-functions", "simulate", "--datastore", "s3", "--s3-root", s3Root, "--token", "fi"],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    const run = await Run.get(`ForeachInputFlow/${simulatedRunIdFrom(result.stderr)}`, {
      datastore: { kind: "s3", root: s3Root, endpoint: server.endpoint },
      namespace: "production:fi",
    });
    assert.deepEqual(await run.data?.words, WORDS);
  });
});
