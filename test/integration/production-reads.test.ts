// Why a production run failed, in one command each: `step-functions list-runs` shows the failed
// step and the first line of its error, and `logs` and `dump` read an `sfn-…` run from the
// deployment's S3 datastore (the AWS settings) without flags. The run is a simulated production
// run on moto's S3 (test/helpers/moto.ts); its execution is a failed one of a state machine of
// that name in moto's Step Functions, which list-runs finds with ListExecutions.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { writeFlowFile } from "../helpers/datastore.js";
import { callName, type Moto, startMoto } from "../helpers/moto.js";
import { BUCKET, prepareAccount, ROLES, roleArn, sdkClients } from "../helpers/moto-account.js";

const dir = tempDir();
const file = writeFlowFile(
  dir,
  "failing",
  `export default flow("FailingProd")
  .step("start", (self) => { self.rows = 42; console.log("loaded 42 rows"); }, { next: "work" })
  .step("work", (self) => { console.error("checking rows"); if (process.env.BROKEN_ROW) throw new Error("row " + process.env.BROKEN_ROW + " is broken\\nsecond line"); self.checked = self.rows; }, { next: "end" })
  .step("end", () => {});`,
);
/** What the state machine's executions end with, as a failed Batch job's would. */
const FAILING_DEFINITION = JSON.stringify({
  StartAt: "work",
  States: { work: { Type: "Fail", Error: "States.TaskFailed", Cause: "Essential container in task exited" } },
});
/** The date list-runs prints: ISO 8601 to the second. */
const printed = (date: Date | undefined) => `${date!.toISOString().slice(0, 19)}Z`;

describe("reading a failed production run", () => {
  let moto: Moto;
  let env: NodeJS.ProcessEnv;
  let runId = "";
  let execution: DescribeExecutionCommandOutput;

  before(async () => {
    // moto runs the state machine, so its execution ends FAILED as AWS's would
    moto = await startMoto({ config: { stepfunctions: { execute_state_machine: true } } });
    await prepareAccount(moto);
    const s3Root = `s3://${BUCKET}/prod`;
    env = flowshipEnv(path.join(dir, "local-datastore"), {
      ...moto.env,
      FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
      FLOWSHIP_AWS_REGION: "eu-west-1",
      FLOWSHIP_AWS_SFN_ROLE: roleArn(ROLES.sfnRole),
      FLOWSHIP_AWS_S3_ROOT: s3Root,
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
    // and: the execution that run was, failed, in the account's Step Functions
    const { sfn } = sdkClients(moto);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: "FailingProd",
        roleArn: roleArn(ROLES.sfnRole),
        definition: FAILING_DEFINITION,
      }),
    );
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: runId.replace(/^sfn-/, "") }),
    );
    execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; execution.status === "RUNNING" && i < 100; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    assert.equal(execution.status, "FAILED");
  });
  after(() => moto?.close());

  test("list-runs names the failed step and the first line of its error", async () => {
    const sent = moto.requests.length;
    const result = await runCli([file, "step-functions", "list-runs"], { env });
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.match(lines[0]!, /^RUN ID +STATUS +STARTED +STOPPED +WHY$/);
    assert.match(
      lines[1]!,
      new RegExp(
        `^${runId} +FAILED +${printed(execution.startDate)} +${printed(execution.stopDate)} +work/0: Error: row 7 is broken$`,
      ),
    );
    assert.match(result.stdout, /Its output: flowship .*failing\.ts logs <run id>\/<step> --stderr/);
    assert.deepEqual(
      moto.requests
        .slice(sent)
        .filter((r) => r.service !== "s3")
        .map(callName),
      ["states:ListExecutions"],
    );
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked > 0);
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
      [file, "--datastore-root", `s3://${BUCKET}/prod`, "dump", `${runIdFrom(resumed.stderr)}/work`],
      {
        env,
      },
    );
    assert.match(dump.stdout, /checked \[number, \d+ bytes\] = 42/);
  });
});
