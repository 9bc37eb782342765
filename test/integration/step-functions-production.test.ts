// The seed's story end to end, offline, against moto (test/helpers/moto.ts: Step Functions,
// Batch, Scheduler and S3 in one account): deploy ParameterFlow (the code package really uploaded
// to moto's S3), trigger it with alpha 0.5, execute exactly the definition and job definition moto
// holds (each Batch job running `flowship batch-task` against S3), list its runs, read alpha in the
// production namespace, deploy again, roll back, delete.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeJobDefinitionsCommand } from "@aws-sdk/client-batch";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import {
  DescribeExecutionCommand,
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
} from "@aws-sdk/client-sfn";
import { deleteDeployment } from "../../src/aws/deploy/delete.js";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { listRuns } from "../../src/aws/deploy/list-runs.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import { rollbackDeployment } from "../../src/aws/deploy/rollback.js";
import { executionInput, triggerFlow } from "../../src/aws/deploy/trigger.js";
import { executeDefinition } from "../../src/aws/simulate/simulate.js";
import { describeDeploy } from "../../src/cli/commands/step-functions/deploy-command.js";
import { Run } from "../../src/client/index.js";
import type { Storage } from "../../src/datastore/storage.js";
import { resolveParameters } from "../../src/run/resolve-parameters.js";
import { tempDir } from "../helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../helpers/deploy-fixtures.js";
import { callName, type Moto, startMoto } from "../helpers/moto.js";
import {
  motoDeployClients,
  motoStorage,
  prepareAccount,
  S3_ROOT,
  sdkClients,
} from "../helpers/moto-account.js";

const outDir = path.join(tempDir("flowship-production-"), "_code");
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const s3Root = S3_ROOT;
let moto: Moto;
let clients: DeployClients;
let storage: Storage;

async function create(file: string) {
  const result = await deployFile({ clients }, file, { s3Root, storage, outDir });
  return { flow: result.flow, target: deployTarget(testSettings(s3Root), result.flow.name), result };
}

/** The requests sent since `from`, as `service:Operation` (REST ones by method and path), S3's left out. */
const sentSince = (from: number) =>
  moto.requests
    .slice(from)
    .filter((r) => r.service !== "s3")
    .map(callName);

/** The state machines in the account. */
const machines = async () =>
  ((await sdkClients(moto).sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []).map(
    (m) => m.name,
  );

/** The version the production alias routes to. */
const production = async (name: string) =>
  (
    await sdkClients(moto).sfn.send(
      new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(name)}:production` }),
    )
  ).routingConfiguration?.map((r) => r.stateMachineVersionArn);

describe("production on AWS Step Functions, end to end (AWS in moto)", () => {
  before(async () => {
    moto = await startMoto();
    await prepareAccount(moto);
    clients = motoDeployClients(moto);
    storage = await motoStorage(moto, s3Root);
  });
  after(async () => {
    const report = await moto?.validate();
    await moto?.close();
    assert.deepEqual(report?.findings, []);
    assert.ok(report!.checked > 0);
  });

  test("ParameterFlow: create, trigger --alpha 0.5, run, list-runs, read it, create again, roll back, delete", async () => {
    const aws = sdkClients(moto);
    // given: the flow is deployed
    const { flow, target, result } = await create("examples/parameter_flow.ts");
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
    const values = await resolveParameters(flow, { text: { alpha: "0.5" } }, { user: "alice" });
    const input = executionInput(
      flow.name,
      { alpha: values.alpha },
      result.deployment.stats.parametersBudgetChars,
    );
    const sent = moto.requests.length;
    const run = await triggerFlow({ sfn: clients.sfn, target, input });
    assert.deepEqual(
      moto.requests.slice(sent).map((r) => [callName(r), JSON.parse(r.body)]),
      [
        [
          "states:StartExecution",
          {
            stateMachineArn: `${machineArn("ParameterFlow")}:production`,
            input: '{"Parameters":"{\\"alpha\\":0.5}"}',
          },
        ],
      ],
    );

    // and: the definition and job definition moto holds run, each Batch job its container command
    const { definition } = await aws.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: `${machineArn("ParameterFlow")}:1` }),
    );
    const { jobDefinitions } = await aws.batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitions: [result.jobDefinitionArn] }),
    );
    assert.equal(jobDefinitions?.length, 1);
    const execution = await aws.sfn.send(new DescribeExecutionCommand({ executionArn: run.executionArn }));
    assert.equal(execution.stateMachineVersionArn, `${machineArn("ParameterFlow")}:1`);
    const outcome = await executeDefinition({
      flowName: flow.name,
      definition: JSON.parse(definition!),
      jobDefinition: jobDefinitions![0] as Parameters<typeof executeDefinition>[0]["jobDefinition"],
      storage,
      datastoreRoot: s3Root,
      input: JSON.parse(execution.input!),
      executionName: execution.name!,
      // The jobs reach moto's S3 directly: the recording proxy is for what the deploy sends.
      containerEnv: { FLOWSHIP_S3_ENDPOINT: moto.directEndpoint, AWS_REGION: "us-east-1" },
      print: () => {},
    });
    assert.equal(outcome.status, "SUCCEEDED", outcome.error);
    assert.equal(outcome.runId, run.runId);

    // then: list-runs shows it (moto does not execute the definition: the execution stays RUNNING)
    const runs = await listRuns({ sfn: clients.sfn, target, statuses: ["RUNNING"] });
    assert.deepEqual(
      runs.map((r) => [r.runId, r.status]),
      [[run.runId, "RUNNING"]],
    );
    assert.deepEqual(await listRuns({ sfn: clients.sfn, target, statuses: ["FAILED"] }), []);
    // and: the Client API finds it in the production namespace, with alpha 0.5
    const read = await Run.get(`ParameterFlow/${run.runId}`, {
      datastore: { kind: "s3", root: s3Root, endpoint: moto.endpoint },
      namespace: `production:${result.token}`,
    });
    assert.equal(read.successful, true);
    assert.equal((await read.parameters()).alpha, 0.5);
    assert.equal(await read.data?.alpha, 0.5);

    // when: deployed again, version 2 is production; rolled back, version 1 is
    const again = await create("examples/parameter_flow.ts");
    assert.deepEqual([again.result.version, again.result.token], [2, result.token]);
    assert.deepEqual(await production("ParameterFlow"), [`${machineArn("ParameterFlow")}:2`]);
    assert.deepEqual(await rollbackDeployment({ clients, target, user: "alice" }), {
      from: 2,
      to: 1,
    });
    assert.deepEqual(await production("ParameterFlow"), [`${machineArn("ParameterFlow")}:1`]);

    // when: deleted, the state machine and its schedule are removed
    const before = moto.requests.length;
    await deleteDeployment({ clients, target, user: "alice" });
    const deleteCalls = sentSince(before);
    assert.ok(deleteCalls.includes("scheduler:DELETE /schedules/flowship-ParameterFlow"), deleteCalls.join());
    const deleteMachine = moto.requests.slice(before).find((r) => r.operation === "DeleteStateMachine")!;
    assert.deepEqual(JSON.parse(deleteMachine.body), { stateMachineArn: machineArn("ParameterFlow") });
    assert.deepEqual(await machines(), []);
  });

  test("HourlyFlow: created with its schedule and next fire times, deleted with it", async () => {
    const schedule = () =>
      sdkClients(moto).scheduler.send(new GetScheduleCommand({ Name: "flowship-HourlyFlow" }));
    const { flow, target, result } = await create("examples/hourly_flow.ts");
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
    const scheduled = await schedule();
    // A universal target: StartExecution of the production alias.
    assert.deepEqual(
      [
        scheduled.ScheduleExpression,
        scheduled.ScheduleExpressionTimezone,
        scheduled.Target?.Arn,
        JSON.parse(scheduled.Target?.Input ?? "{}").StateMachineArn,
      ],
      [
        "cron(0 * * * ? *)",
        "UTC",
        "arn:aws:scheduler:::aws-sdk:sfn:startExecution",
        `${machineArn("HourlyFlow")}:production`,
      ],
    );
    const before = moto.requests.length;
    const deleted = await deleteDeployment({ clients, target, user: "alice" });
    assert.deepEqual(deleted, {
      scheduleDeleted: true,
      triggerDeleted: false,
      notifyDeleted: false,
      eventRulesDeleted: 0,
    });
    assert.ok(sentSince(before).includes("scheduler:DELETE /schedules/flowship-HourlyFlow"));
    await assert.rejects(schedule(), { name: "ResourceNotFoundException" });
    assert.deepEqual(await machines(), []);
  });
});
