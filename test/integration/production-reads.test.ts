// Why a production run failed, in one command each: `step-functions list-runs` shows the failed
// step and the first line of its error, and `logs` and `dump` read an `sfn-…` run from the
// deployment's S3 datastore (the AWS settings) without flags. The run is a simulated production
// run on S3 served by s3rver; Step Functions' ListExecutions comes from a stand-in on loopback.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type AwsStandIn, startAwsStandIn } from "../helpers/aws-stand-in.js";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { writeFlowFile } from "../helpers/datastore.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const dir = tempDir();
const file = writeFlowFile(
  dir,
  "failing",
  `export default flow("FailingProd")
  .step("start", (self) => { self.rows = 42; console.log("loaded 42 rows"); }, { next: "work" })
  .step("work", (self) => { console.error("checking rows"); if (process.env.BROKEN_ROW) throw new Error("row " + process.env.BROKEN_ROW + " is broken\\nsecond line"); self.checked = self.rows; }, { next: "end" })
  .step("end", () => {});`,
);
const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:FailingProd";

describe("reading a failed production run", () => {
  let s3: S3TestServer;
  let sfn: AwsStandIn;
  let env: NodeJS.ProcessEnv;
  let runId = "";

  before(async () => {
    s3 = await startS3Server();
    const s3Root = `s3://${s3.bucket}/prod`;
    env = flowshipEnv(path.join(dir, "local-datastore"), {
      FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
      FLOWSHIP_S3_ENDPOINT: s3.endpoint,
      FLOWSHIP_AWS_REGION: "eu-west-1",
      FLOWSHIP_AWS_SFN_ROLE: "arn:aws:iam::123456789012:role/flowship-step-functions",
      FLOWSHIP_AWS_S3_ROOT: s3Root,
      AWS_REGION: "eu-west-1",
    });
    const simulated = await runCli(
      [
        file,
        "step-functions",
        "simulate",
        "--datastore",
        "s3",
        "--s3-root",
        s3Root,
        "--token",
        "prod",
        "--env",
        "BROKEN_ROW=7",
      ],
      { env },
    );
    assert.equal(simulated.code, 1, simulated.stderr);
    runId = simulatedRunIdFrom(simulated.stderr);
    const execution = runId.replace(/^sfn-/, "");
    sfn = await startAwsStandIn({
      "sfn:ListExecutions": () => ({
        executions: [
          {
            executionArn: `arn:aws:states:eu-west-1:123456789012:execution:FailingProd:${execution}`,
            stateMachineArn: MACHINE,
            name: execution,
            status: "FAILED",
            startDate: 1_772_352_000,
            stopDate: 1_772_352_060,
          },
        ],
      }),
    });
    env = { ...env, AWS_ENDPOINT_URL_SFN: sfn.endpoint };
  });
  after(async () => {
    await sfn?.close();
    await s3.close();
  });

  test("list-runs names the failed step and the first line of its error", async () => {
    const result = await runCli([file, "step-functions", "list-runs"], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.match(lines[0]!, /^RUN ID +STATUS +STARTED +STOPPED +WHY$/);
    assert.match(
      lines[1]!,
      new RegExp(
        `^${runId} +FAILED +2026-03-01T08:00:00Z +2026-03-01T08:01:00Z +work/0: Error: row 7 is broken$`,
      ),
    );
    assert.match(result.stdout, /Its output: flowship .*failing\.ts logs <run id>\/<step> --stderr/);
    assert.deepEqual(
      sfn.calls.map((c) => c.operation),
      ["ListExecutions"],
    );
  });

  test("logs, dump and runs --production read the production run without flags", async () => {
    assert.deepEqual(fs.readdirSync(dir).includes("local-datastore"), false, "nothing local to find");
    const logs = await runCli([file, "logs", `${runId}/work`, "--stderr"], { env });
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^checking rows\n/);
    assert.match(
      logs.stderr,
      new RegExp(
        `^note: run FailingProd/${runId} is not in .*local-datastore; reading it from the deployment's datastore s3://`,
      ),
    );
    const dump = await runCli([file, "dump", `${runId}/start`], { env });
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /rows \[number, \d+ bytes\] = 42/);
    const runs = await runCli([file, "runs", "--production"], { env });
    assert.equal(runs.code, 0, runs.stderr);
    assert.match(runs.stdout, new RegExp(`^${runId} +failed +`, "m"));
    const mixed = await runCli([file, "runs", "--production", "--all"], { env });
    assert.equal(mixed.stderr, "error: Give --production or a namespace (--namespace, --all), not both.\n");
  });

  test("resume --origin-run-id sfn-… reproduces the production run here, cloning what succeeded", async () => {
    const resumed = await runCli([file, "resume", "--origin-run-id", runId], { env });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.match(
      resumed.stderr,
      new RegExp(`note: run FailingProd/${runId} is in the deployment's datastore s3://`),
    );
    assert.match(
      resumed.stderr,
      new RegExp(`\\[[^\\]]+/start/0\\] cloned from FailingProd/${runId}/start/0`),
    );
    const dump = await runCli(
      [file, "--datastore-root", `s3://${s3.bucket}/prod`, "dump", `${runIdFrom(resumed.stderr)}/work`],
      {
        env,
      },
    );
    assert.match(dump.stdout, /checked \[number, \d+ bytes\] = 42/);
  });
});
