// step-functions rollback and delete: exact requests.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DeleteRuleCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteScheduleCommand } from "@aws-sdk/client-scheduler";
import { DeleteStateMachineCommand, UpdateStateMachineAliasCommand } from "@aws-sdk/client-sfn";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { ACCOUNT, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { deleteDeployment } from "./delete.js";
import { deployTarget } from "./resource-names.js";
import { rollbackDeployment } from "./rollback.js";

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;
const target = deployTarget(testSettings("s3://bucket/flowship"), "ParameterFlow");
const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;

describe("step-functions rollback", () => {
  test("by default to the version before the production one", async () => {
    const aws = new FakeAws();
    aws.seed({ name: "ParameterFlow", owner: "alice", token: "t", versions: 3 });
    const result = await rollbackDeployment({ clients: aws.clients, target, user: "alice" });
    assert.deepEqual(result, { from: 3, to: 2 });
    assert.deepEqual(aws.sfn.commandCalls(UpdateStateMachineAliasCommand)[0]!.args[0].input, {
      stateMachineAliasArn: `${machineArn}:production`,
      routingConfiguration: [{ stateMachineVersionArn: `${machineArn}:2`, weight: 100 }],
      description: "flowship production version of ParameterFlow (rolled back from 3 by alice)",
    });
    assert.deepEqual(await rollbackDeployment({ clients: aws.clients, target, user: "alice" }), {
      from: 2,
      to: 1,
    });
  });

  test("--version picks one; an unknown version or none before the first is refused", async () => {
    const aws = new FakeAws();
    aws.seed({ name: "ParameterFlow", owner: "alice", token: "t", versions: 3 });
    assert.deepEqual(await rollbackDeployment({ clients: aws.clients, target, user: "alice", version: 1 }), {
      from: 3,
      to: 1,
    });
    await assert.rejects(
      rollbackDeployment({ clients: aws.clients, target, user: "alice", version: 7 }),
      (error: Error & { code?: string }) =>
        error.code === "FS_SFN_NO_SUCH_VERSION" &&
        error.message ===
          "No version 7 of state machine 'ParameterFlow': 'versions 1, 2, 3'. Pick one of these with --version.",
    );
    await assert.rejects(
      rollbackDeployment({ clients: aws.clients, target, user: "alice" }),
      hasCode("FS_SFN_NO_SUCH_VERSION"),
    );
    await assert.rejects(
      rollbackDeployment({ clients: aws.clients, target, user: "bob", version: 2 }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
  });
});

describe("step-functions delete", () => {
  test("deletes the schedule, the triggerOnFinish and alert rules and the state machine", async () => {
    // given
    const aws = new FakeAws();
    aws.seed({ name: "ParameterFlow", owner: "alice", token: "t" });
    aws.schedules.set("flowship-ParameterFlow", {});
    aws.rules.set("flowship-ParameterFlow-on-finish", { rule: {}, targets: [{ Id: "flowship" }] });
    aws.rules.set("flowship-ParameterFlow-notify", {
      rule: {},
      targets: [{ Id: "flowship-notify" }, { Id: "flowship-notify-webhook" }],
    });
    aws.connections.set("flowship-ParameterFlow-notify", {});
    aws.apiDestinations.set("flowship-ParameterFlow-notify", {});
    // when
    const result = await deleteDeployment({ clients: aws.clients, target, user: "alice" });
    // then
    assert.deepEqual(result, {
      scheduleDeleted: true,
      triggerDeleted: true,
      notifyDeleted: true,
      eventRulesDeleted: 0,
    });
    assert.deepEqual(
      aws.events.commandCalls(DeleteRuleCommand).map((call) => call.args[0].input.Name),
      ["flowship-ParameterFlow-on-finish", "flowship-ParameterFlow-notify"],
    );
    assert.deepEqual(aws.scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input, {
      Name: "flowship-ParameterFlow",
    });
    assert.deepEqual(aws.events.commandCalls(RemoveTargetsCommand)[0]!.args[0].input, {
      Rule: "flowship-ParameterFlow-on-finish",
      Ids: ["flowship"],
    });
    assert.deepEqual(aws.events.commandCalls(DeleteRuleCommand)[0]!.args[0].input, {
      Name: "flowship-ParameterFlow-on-finish",
    });
    assert.deepEqual(aws.sfn.commandCalls(DeleteStateMachineCommand)[0]!.args[0].input, {
      stateMachineArn: machineArn,
    });
    assert.equal(aws.machines.size, 0);
    assert.equal(aws.rules.size + aws.connections.size + aws.apiDestinations.size, 0);
  });

  test("refuses another user without the token, and a flow that is not deployed", async () => {
    const aws = new FakeAws();
    await assert.rejects(
      deleteDeployment({ clients: aws.clients, target, user: "alice" }),
      hasCode("FS_SFN_NOT_DEPLOYED"),
    );
    aws.seed({ name: "ParameterFlow", owner: "alice", token: "t" });
    await assert.rejects(
      deleteDeployment({ clients: aws.clients, target, user: "bob" }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    assert.equal(aws.sfn.commandCalls(DeleteStateMachineCommand).length, 0);
    assert.equal(aws.scheduler.calls().length, 0);
  });
});
