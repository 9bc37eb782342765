// Every example flow, run the way production runs it: compiled to a state machine, packaged,
// executed by the simulator with each Batch job running `flowship batch-task` against S3 served by
// s3rver on loopback — and the artifacts, read through the Client API in the production
// namespace, equal those of a local run.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { Run, setDatastore, Task } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { endArtifacts } from "../helpers/run-artifacts.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const EXAMPLES: [string, string, string[]][] = [
  ["examples/parameter_flow.ts", "ParameterFlow", ["--alpha", "0.5"]],
  ["examples/hourly_flow.ts", "HourlyFlow", []],
  ["examples/branch_flow.ts", "BranchFlow", []],
  ["examples/foreach_flow.ts", "ForeachFlow", ["--count", "4"]],
  ["examples/nested_foreach_flow.ts", "NestedForeachFlow", []],
  ["examples/resilient_flow.ts", "ResilientFlow", []],
];

let server: S3TestServer;
const localRoot = path.join(tempDir(), ".flowship");
let s3Root: string;
let env: NodeJS.ProcessEnv;

describe("step-functions simulate against S3 on loopback", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    env = flowshipEnv(localRoot, {
      FLOWSHIP_S3_ENDPOINT: server.endpoint,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      AWS_REGION: "us-east-1",
    });
  });
  after(async () => {
    await server.close();
  });

  for (const datastore of ["s3", "local"] as const) {
    for (const [file, flow, args] of EXAMPLES) {
      test(`${flow}: same artifacts as a local run (simulated on the ${datastore} datastore)`, async () => {
        // given: a local run
        const local = await runCli([file, "run", ...args], { env });
        assert.equal(local.code, 0, local.stderr);
        const expected = await endArtifacts(`${flow}/${runIdFrom(local.stderr)}`, {
          datastore: { kind: "local", root: localRoot },
          namespace: "user:tester",
        });
        // when: the compiled state machine runs in the simulator, each job in the sandbox
        const where = datastore === "s3" ? ["--datastore", "s3", "--s3-root", s3Root] : [];
        const simulated = await runCli(
          [
            file,
            "step-functions",
            "simulate",
            ...where,
            "--token",
            "ci",
            "--retry-interval-scale",
            "0.001",
            ...args,
          ],
          { env },
        );
        // then
        assert.equal(simulated.code, 0, simulated.stderr);
        assert.doesNotMatch(simulated.stderr, /without a sandbox/);
        const runId = simulatedRunIdFrom(simulated.stderr);
        assert.match(runId, /^sfn-local-\d+$/);
        const actual = await endArtifacts(`${flow}/${runId}`, {
          datastore:
            datastore === "s3"
              ? { kind: "s3", root: s3Root, endpoint: server.endpoint }
              : { kind: "local", root: localRoot },
          namespace: "production:ci",
        });
        assert.deepEqual(actual, expected);
      });
    }
  }

  test("a production run is outside the user's namespace and carries the deployment's tags", async () => {
    // given: the tags `step-functions create --tag` hands its Batch tasks
    const simulated = await runCli(
      [
        "examples/parameter_flow.ts",
        "step-functions",
        "simulate",
        "--datastore",
        "s3",
        "--s3-root",
        s3Root,
        "--token",
        "ci",
        "--tag",
        "nightly",
      ],
      { env },
    );
    assert.equal(simulated.code, 0, simulated.stderr);
    setDatastore({ kind: "s3", root: s3Root, endpoint: server.endpoint });
    const pathspec = `ParameterFlow/${simulatedRunIdFrom(simulated.stderr)}`;
    await assert.rejects(
      Task.get(`${pathspec}/end/0`, { namespace: "user:tester" }),
      (error: Error & { code?: string }) => error.code === "FS_CLIENT_NAMESPACE_MISMATCH",
    );
    const run = await Run.get(pathspec, { namespace: "production:ci" });
    assert.deepEqual(run.userTags, ["nightly"]);
  });
});
