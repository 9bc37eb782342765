// `run --datastore s3`: a local run whose every record, artifact and log lives on S3 (s3rver on
// loopback), read back by the inspection commands and the Client API, and resumed from S3.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

let server: S3TestServer;
let env: NodeJS.ProcessEnv;
let s3Root: string;
const localRoot = path.join(tempDir(), ".flowship");

before(async () => {
  server = await startS3Server();
  s3Root = `s3://${server.bucket}/runs`;
  env = flowshipEnv(localRoot, {
    FLOWSHIP_DATASTORE: "s3",
    FLOWSHIP_S3_ROOT: s3Root,
    FLOWSHIP_S3_ENDPOINT: server.endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
  });
});
after(() => server.close());

test("a foreach run on S3: artifacts, logs, runs and dump read back from S3", async () => {
  // when
  const result = await runCli(["examples/foreach_flow.ts", "run", "--count", "3"], { env });
  // then
  assert.equal(result.code, 0, result.stderr);
  const runId = runIdFrom(result.stderr);
  const run = await Run.get(`ForeachFlow/${runId}`, {
    datastore: { kind: "s3", root: s3Root, endpoint: server.endpoint },
    namespace: "user:tester",
  });
  assert.equal(run.status, "succeeded");
  assert.deepEqual(await run.data?.results, [1, 4, 9]);
  const logs = await runCli(["examples/foreach_flow.ts", "logs", `${runId}/square/1`], { env });
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /item 1: 2² = 4/);
  const runs = await runCli(["examples/foreach_flow.ts", "runs"], { env });
  assert.match(runs.stdout, new RegExp(`${runId}\\s+succeeded`));
  const dump = await runCli(["examples/foreach_flow.ts", "dump", `${runId}/end`, "--json"], { env });
  assert.equal(dump.code, 0, dump.stderr);
  assert.deepEqual(JSON.parse(dump.stdout)[`ForeachFlow/${runId}/end/0`].results, [1, 4, 9]);
});

test("resume reads its origin from S3 and clones from it", async () => {
  // With a side-effect file, item 1 fails only once items 0 and 2 have finished.
  const effects = path.join(tempDir(), "effects.txt");
  const failed = await runCli(["test/fixtures/flows/resumable.ts", "run"], {
    env: { ...env, FAIL_ITEM: "1", SIDE_EFFECT_FILE: effects },
  });
  assert.equal(failed.code, 1);
  const resumed = await runCli(["test/fixtures/flows/resumable.ts", "resume"], {
    env: { ...env, SIDE_EFFECT_FILE: effects },
  });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /cloned from ResumableFlow\/\d+\/body\/0/);
  const run = await Run.get(`ResumableFlow/${runIdFrom(resumed.stderr)}`, {
    datastore: { kind: "s3", root: s3Root, endpoint: server.endpoint },
    namespace: "user:tester",
  });
  assert.equal(await run.data?.total, 60);
});

test("the datastore can be chosen with flags, before or after the command", async () => {
  const flagsOnly = { ...env, FLOWSHIP_DATASTORE: undefined, FLOWSHIP_S3_ROOT: undefined };
  const after = await runCli(
    [
      "examples/parameter_flow.ts",
      "run",
      "--datastore",
      "s3",
      "--datastore-root",
      `${s3Root}-flags`,
      "--alpha",
      "0.3",
    ],
    { env: flagsOnly },
  );
  assert.equal(after.code, 0, after.stderr);
  const before = await runCli(
    ["examples/parameter_flow.ts", "--datastore-root", `${s3Root}-flags`, "runs", "--json"],
    { env: flagsOnly },
  );
  assert.equal(before.code, 0, before.stderr);
  assert.match(before.stdout, new RegExp(runIdFrom(after.stderr)));
  const unknown = await runCli(["examples/parameter_flow.ts", "run", "--datastore", "gcs"], {
    env: flagsOnly,
  });
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr, "error: Unknown datastore 'gcs': use local or s3.\n");
});

test("--datastore s3 without FLOWSHIP_S3_ROOT takes the S3 root of the AWS settings", async () => {
  const result = await runCli(["examples/parameter_flow.ts", "run"], {
    env: { ...env, FLOWSHIP_S3_ROOT: undefined, FLOWSHIP_AWS_S3_ROOT: `${s3Root}-settings` },
  });
  assert.equal(result.code, 0, result.stderr);
  const run = await Run.get(`ParameterFlow/${runIdFrom(result.stderr)}`, {
    datastore: { kind: "s3", root: `${s3Root}-settings`, endpoint: server.endpoint },
    namespace: null,
  });
  assert.equal(run.status, "succeeded");
});

test("--datastore s3 without a root is a one-line usage error", async () => {
  const result = await runCli(["examples/parameter_flow.ts", "run"], {
    env: { ...env, FLOWSHIP_S3_ROOT: undefined },
  });
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    "error: Missing S3 datastore root for --datastore s3: pass --datastore-root s3://bucket/prefix, set FLOWSHIP_S3_ROOT, or (for the CLI) set the S3 root of the AWS settings with `flowship configure aws --s3-root`.\n",
  );
});
