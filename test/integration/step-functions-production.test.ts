// The seed's story end to end, offline: deploy ParameterFlow (Step Functions, Batch and Scheduler
// mocked at the SDK, the code package really uploaded to S3 on loopback), trigger it with alpha
// 0.5, execute exactly the definition and job definition AWS received (each Batch job running
// `flowship batch-task` against S3), list its runs, read alpha in the production namespace, deploy
// again, roll back, delete.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { DeleteScheduleCommand } from "@aws-sdk/client-scheduler";
import * as sfn from "@aws-sdk/client-sfn";
import { deleteDeployment } from "../../src/aws/deploy/delete.js";
import { listRuns } from "../../src/aws/deploy/list-runs.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import { rollbackDeployment } from "../../src/aws/deploy/rollback.js";
import { executionInput, triggerFlow } from "../../src/aws/deploy/trigger.js";
import { executeDefinition } from "../../src/aws/simulate/simulate.js";
import { describeDeploy } from "../../src/cli/commands/step-functions/deploy-command.js";
import { Run } from "../../src/client/index.js";
import { openStorage } from "../../src/datastore/open-storage.js";
import type { Storage } from "../../src/datastore/storage.js";
import { resolveParameters } from "../../src/runtime/resolve-parameters.js";
import { FakeAws } from "../helpers/aws-mocks.js";
import { tempDir } from "../helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const outDir = path.join(tempDir("flowship-production-"), "_code");
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

async function create(aws: FakeAws, file: string) {
  const result = await deployFile(aws, file, { s3Root, storage, outDir });
  return { flow: result.flow, target: deployTarget(testSettings(s3Root), result.flow.name), result };
}

describe("production on AWS Step Functions, end to end (mocked AWS APIs, S3 on loopback)", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("ParameterFlow: create, trigger --alpha 0.5, run, list-runs, read it, create again, roll back, delete", async () => {
    const aws = new FakeAws();
    // given: the flow is deployed
    const { flow, target, result } = await create(aws, "examples/parameter_flow.ts");
    assert.equal(result.version, 1);
    const printed = describeDeploy(flow, result);
    assert.ok(printed.includes(`  State machine:  ${machineArn("ParameterFlow")}\n`), printed);
    assert.ok(printed.includes(`  Namespace:      production:${result.token}\n`), printed);
    assert.ok(
      printed.includes(
        `  Triggered by:   manual only: step-functions trigger, or Start Execution in the console with input {"Parameters":"{\\"alpha\\":0.1}"}\n`,
      ),
      printed,
    );

    // when: triggered with --alpha 0.5, typed as `run` types it
    const values = await resolveParameters(flow, { text: { alpha: "0.5" } }, "alice");
    const input = executionInput(
      flow.name,
      { alpha: values.alpha },
      result.deployment.stats.parametersBudgetChars,
    );
    const run = await triggerFlow({ sfn: aws.clients.sfn, target, input });
    const [start] = aws.sfn.commandCalls(sfn.StartExecutionCommand);
    assert.deepEqual(start!.args[0].input, {
      stateMachineArn: `${machineArn("ParameterFlow")}:production`,
      input: '{"Parameters":"{\\"alpha\\":0.5}"}',
    });

    // and: Step Functions runs what it was given, each Batch job running its container command
    const definition = JSON.parse(
      aws.sfn.commandCalls(sfn.CreateStateMachineCommand)[0]!.args[0].input.definition!,
    );
    const jobDefinition = aws.batch.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input;
    const execution = aws.executions.get(run.executionArn)!;
    const outcome = await executeDefinition({
      flowName: flow.name,
      definition,
      jobDefinition: jobDefinition as Parameters<typeof executeDefinition>[0]["jobDefinition"],
      storage,
      datastoreRoot: s3Root,
      input: JSON.parse(execution.input),
      executionName: execution.name,
      containerEnv: { FLOWSHIP_S3_ENDPOINT: server.endpoint, AWS_REGION: "us-east-1" },
      print: () => {},
    });
    assert.equal(outcome.status, "SUCCEEDED", outcome.error);
    assert.equal(outcome.runId, run.runId);
    aws.finish(run.executionArn, outcome.status);

    // then: list-runs shows it succeeded
    const runs = await listRuns({ sfn: aws.clients.sfn, target, statuses: ["SUCCEEDED"] });
    assert.deepEqual(
      runs.map((r) => [r.runId, r.status]),
      [[run.runId, "SUCCEEDED"]],
    );
    // and: the Client API finds it in the production namespace, with alpha 0.5
    const read = await Run.get(`ParameterFlow/${run.runId}`, {
      datastore: { kind: "s3", root: s3Root, endpoint: server.endpoint },
      namespace: `production:${result.token}`,
    });
    assert.equal(read.successful, true);
    assert.equal((await read.parameters()).alpha, 0.5);
    assert.equal(await read.data?.alpha, 0.5);

    // when: deployed again, version 2 is production; rolled back, version 1 is
    const again = await create(aws, "examples/parameter_flow.ts");
    assert.deepEqual([again.result.version, again.result.token], [2, result.token]);
    assert.equal(aws.machines.get("ParameterFlow")!.alias, `${machineArn("ParameterFlow")}:2`);
    assert.deepEqual(await rollbackDeployment({ clients: aws.clients, target, user: "alice" }), {
      from: 2,
      to: 1,
    });
    assert.equal(aws.machines.get("ParameterFlow")!.alias, `${machineArn("ParameterFlow")}:1`);

    // when: deleted, the state machine and its schedule are removed
    aws.resetHistory();
    await deleteDeployment({ clients: aws.clients, target, user: "alice" });
    assert.deepEqual(aws.scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input, {
      Name: "flowship-ParameterFlow",
    });
    assert.deepEqual(aws.sfn.commandCalls(sfn.DeleteStateMachineCommand)[0]!.args[0].input, {
      stateMachineArn: machineArn("ParameterFlow"),
    });
    assert.equal(aws.machines.size, 0);
  });

  test("HourlyFlow: created with its schedule and next fire times, deleted with it", async () => {
    const aws = new FakeAws();
    const { flow, target, result } = await create(aws, "examples/hourly_flow.ts");
    assert.deepEqual(result.schedule, {
      name: "flowship-HourlyFlow",
      expression: "cron(0 * * * ? *)",
      timezone: "UTC",
      next: ["2026-03-02T11:00:00.000Z", "2026-03-02T12:00:00.000Z", "2026-03-02T13:00:00.000Z"],
    });
    assert.ok(
      describeDeploy(flow, result).includes(
        "  Triggered by:   schedule flowship-HourlyFlow: cron(0 * * * ? *) in UTC; next at 2026-03-02T11:00:00.000Z, 2026-03-02T12:00:00.000Z, 2026-03-02T13:00:00.000Z\n",
      ),
    );
    assert.equal(aws.schedules.get("flowship-HourlyFlow")?.ScheduleExpression, "cron(0 * * * ? *)");
    const deleted = await deleteDeployment({ clients: aws.clients, target, user: "alice" });
    assert.deepEqual(deleted, {
      scheduleDeleted: true,
      triggerDeleted: false,
      notifyDeleted: false,
      eventRulesDeleted: 0,
    });
    assert.deepEqual(aws.scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input, {
      Name: "flowship-HourlyFlow",
    });
    assert.equal(aws.schedules.size, 0);
    assert.equal(aws.machines.size, 0);
  });
});
