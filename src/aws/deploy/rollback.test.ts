// step-functions rollback and delete against moto: deployments made earlier are set up straight in
// moto, then what the commands sent and what Step Functions, Scheduler and EventBridge hold after.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  ListRulesCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { DescribeStateMachineAliasCommand, ListStateMachinesCommand } from "@aws-sdk/client-sfn";
import { ACCOUNT, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../../../test/helpers/moto.js";
import {
  motoDeployClients,
  motoDirect,
  operations,
  resetMoto,
  roleArn,
  seedDeployment,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import { deleteDeployment } from "./delete.js";
import type { DeployClients } from "./deployment.js";
import { deployTarget } from "./resource-names.js";
import { rollbackDeployment } from "./rollback.js";

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;
const target = deployTarget(testSettings("s3://bucket/flowship"), "ParameterFlow");
const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;
let moto: Moto;
let clients: DeployClients;
let direct: ReturnType<typeof motoDirect>;
let mark = 0;

async function productionVersion(): Promise<string | undefined> {
  const alias = await direct.sfn.send(
    new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn}:production` }),
  );
  return alias.routingConfiguration?.[0]?.stateMachineVersionArn;
}

before(async () => {
  moto = await startMoto();
  clients = motoDeployClients(moto);
  direct = motoDirect(moto);
});
after(() => moto?.close());
beforeEach(async () => {
  await resetMoto(moto);
  mark = moto.requests.length;
});

describe("step-functions rollback", () => {
  test("by default to the version before the production one", async () => {
    await seedDeployment(moto, { name: "ParameterFlow", owner: "alice", token: "t", versions: 3 });
    const result = await rollbackDeployment({ clients, target, user: "alice" });
    assert.deepEqual(result, { from: 3, to: 2 });
    assert.deepEqual(sent(moto, "states:UpdateStateMachineAlias", mark), [
      {
        stateMachineAliasArn: `${machineArn}:production`,
        routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:2`, weight: 100 }],
        description: "flowship production version of ParameterFlow (rolled back from 3 by alice)",
      },
    ]);
    assert.equal(await productionVersion(), `${machineArn}:2`);
    assert.deepEqual(await rollbackDeployment({ clients, target, user: "alice" }), {
      from: 2,
      to: 1,
    });
    assert.equal(await productionVersion(), `${machineArn}:1`);
  });

  test("--version picks one; an unknown version or none before the first is refused", async () => {
    await seedDeployment(moto, { name: "ParameterFlow", owner: "alice", token: "t", versions: 3 });
    assert.deepEqual(await rollbackDeployment({ clients, target, user: "alice", version: 1 }), {
      from: 3,
      to: 1,
    });
    assert.equal(await productionVersion(), `${machineArn}:1`);
    await assert.rejects(
      rollbackDeployment({ clients, target, user: "alice", version: 7 }),
      (error: Error & { code?: string }) =>
        error.code === "FS_SFN_NO_SUCH_VERSION" &&
        error.message ===
          "No version 7 of state machine 'ParameterFlow': 'versions 1, 2, 3'. Pick one of these with --version.",
    );
    await assert.rejects(
      rollbackDeployment({ clients, target, user: "alice" }),
      hasCode("FS_SFN_NO_SUCH_VERSION"),
    );
    await assert.rejects(
      rollbackDeployment({ clients, target, user: "bob", version: 2 }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    assert.equal(await productionVersion(), `${machineArn}:1`);
    assert.equal(sent(moto, "states:UpdateStateMachineAlias", mark).length, 1);
  });
});

/** What a deploy with a schedule, triggerOnFinish and webhook alerts left, made straight in moto. */
async function seedTriggers(): Promise<void> {
  const alias = `${machineArn}:production`;
  await direct.scheduler.send(
    new CreateScheduleCommand({
      Name: "flowship-ParameterFlow",
      ScheduleExpression: "rate(1 day)",
      FlexibleTimeWindow: { Mode: "OFF" },
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:sfn:startExecution",
        RoleArn: roleArn("flowship-scheduler"),
        Input: JSON.stringify({ StateMachineArn: alias, Input: '{"Parameters":"{}"}' }),
      },
    }),
  );
  const pattern = (status: string[]) =>
    JSON.stringify({
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status, stateMachineArn: [machineArn] },
    });
  await direct.events.send(
    new PutRuleCommand({ Name: "flowship-ParameterFlow-on-finish", EventPattern: pattern(["SUCCEEDED"]) }),
  );
  await direct.events.send(
    new PutTargetsCommand({
      Rule: "flowship-ParameterFlow-on-finish",
      Targets: [{ Id: "flowship", Arn: alias, RoleArn: roleArn("flowship-events") }],
    }),
  );
  const { ConnectionArn } = await direct.events.send(
    new CreateConnectionCommand({
      Name: "flowship-ParameterFlow-notify",
      AuthorizationType: "API_KEY",
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: "X-Flowship-Alert", ApiKeyValue: "flowship" } },
    }),
  );
  const { ApiDestinationArn } = await direct.events.send(
    new CreateApiDestinationCommand({
      Name: "flowship-ParameterFlow-notify",
      ConnectionArn,
      InvocationEndpoint: "https://example.com/hook",
      HttpMethod: "POST",
    }),
  );
  await direct.events.send(
    new PutRuleCommand({ Name: "flowship-ParameterFlow-notify", EventPattern: pattern(["FAILED"]) }),
  );
  await direct.events.send(
    new PutTargetsCommand({
      Rule: "flowship-ParameterFlow-notify",
      Targets: [
        { Id: "flowship-notify", Arn: `arn:aws:sns:${REGION}:${ACCOUNT}:flowship-alerts` },
        { Id: "flowship-notify-webhook", Arn: ApiDestinationArn, RoleArn: roleArn("flowship-events") },
      ],
    }),
  );
}

/** Everything of the deployment left in Step Functions, Scheduler and EventBridge. */
async function leftInAws(): Promise<string[]> {
  const [{ stateMachines }, { Schedules }, { Rules }, { Connections }, { ApiDestinations }] =
    await Promise.all([
      direct.sfn.send(new ListStateMachinesCommand({})),
      direct.scheduler.send(new ListSchedulesCommand({})),
      direct.events.send(new ListRulesCommand({})),
      direct.events.send(new ListConnectionsCommand({})),
      direct.events.send(new ListApiDestinationsCommand({})),
    ]);
  return [
    ...(stateMachines ?? []).map((m) => `state machine ${m.name}`),
    ...(Schedules ?? []).map((s) => `schedule ${s.Name}`),
    ...(Rules ?? []).map((r) => `rule ${r.Name}`),
    ...(Connections ?? []).map((c) => `connection ${c.Name}`),
    ...(ApiDestinations ?? []).map((d) => `api-destination ${d.Name}`),
  ];
}

describe("step-functions delete", () => {
  test("deletes the schedule, the triggerOnFinish and alert rules and the state machine", async () => {
    // given
    await seedDeployment(moto, { name: "ParameterFlow", owner: "alice", token: "t" });
    await seedTriggers();
    assert.equal((await leftInAws()).length, 6);
    // when
    const result = await deleteDeployment({ clients, target, user: "alice" });
    // then
    assert.deepEqual(result, {
      scheduleDeleted: true,
      triggerDeleted: true,
      notifyDeleted: true,
      eventRulesDeleted: 0,
    });
    assert.deepEqual(await leftInAws(), []);
    // Triggers first, each rule's targets before the rule, the state machine last.
    assert.deepEqual(operations(moto, { from: mark }), [
      "states:DescribeStateMachine",
      "states:ListTagsForResource",
      "scheduler:DeleteSchedule",
      "events:RemoveTargets",
      "events:DeleteRule",
      "events:RemoveTargets",
      "events:DeleteRule",
      // The step alert rule, which a deployment from before step alerts does not have.
      "events:RemoveTargets",
      "events:DeleteApiDestination",
      "events:DeleteConnection",
      "events:ListRules",
      "states:DeleteStateMachine",
    ]);
    assert.deepEqual(
      moto.requests
        .slice(mark)
        .filter((r) => r.service === "scheduler")
        .map((r) => [r.method, r.url.split("?")[0]]),
      [["DELETE", "/schedules/flowship-ParameterFlow"]],
    );
    assert.deepEqual(sent(moto, "events:RemoveTargets", mark), [
      { Rule: "flowship-ParameterFlow-on-finish", Ids: ["flowship"] },
      { Rule: "flowship-ParameterFlow-notify", Ids: ["flowship-notify", "flowship-notify-webhook"] },
      { Rule: "flowship-ParameterFlow-step-alert", Ids: ["flowship-notify", "flowship-notify-webhook"] },
    ]);
    assert.deepEqual(sent(moto, "events:DeleteRule", mark), [
      { Name: "flowship-ParameterFlow-on-finish" },
      { Name: "flowship-ParameterFlow-notify" },
    ]);
    assert.deepEqual(sent(moto, "states:DeleteStateMachine", mark), [{ stateMachineArn: machineArn }]);
  });

  test("refuses another user without the token, and a flow that is not deployed", async () => {
    await assert.rejects(
      deleteDeployment({ clients, target, user: "alice" }),
      hasCode("FS_SFN_NOT_DEPLOYED"),
    );
    await seedDeployment(moto, { name: "ParameterFlow", owner: "alice", token: "t" });
    await assert.rejects(deleteDeployment({ clients, target, user: "bob" }), hasCode("FS_SFN_UNAUTHORIZED"));
    assert.deepEqual(operations(moto, { from: mark }), [
      "states:DescribeStateMachine",
      "states:DescribeStateMachine",
      "states:ListTagsForResource",
    ]);
    assert.deepEqual(await leftInAws(), ["state machine ParameterFlow"]);
  });
});

test("every request sent is valid by AWS's API models", async () => {
  const report = await moto.validate();
  assert.ok(report.checked > 0);
  assert.deepEqual(report.findings, []);
});
