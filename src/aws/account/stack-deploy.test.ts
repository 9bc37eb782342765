// deployStack's reading of CloudFormation: progress as resources complete, each failed resource's
// reason on one line, a failed create left for inspection, "no changes" as success. CloudFormation
// is a mocked client here because moto reports no resource events and creates synchronously; the
// real protocol is exercised against moto in test/integration/aws-stack-cli.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { StackDeployError } from "./errors.js";
import { deployStack } from "./stack-deploy.js";
import { stackTemplate } from "./stack-template.js";

const STACK_ID = "arn:aws:cloudformation:eu-west-1:123456789012:stack/flowship/1";
/** The Description stackTemplate() gives a stack: the mark of one flowship made. */
const FLOWSHIP = stackTemplate().Description;
const missing = Object.assign(new Error("Stack with id flowship does not exist"), {
  name: "ValidationError",
});

function event(id: number, logical: string, status: string, reason?: string): StackEvent {
  return {
    EventId: String(id),
    StackId: STACK_ID,
    StackName: "flowship",
    LogicalResourceId: logical,
    PhysicalResourceId: logical === "flowship" ? STACK_ID : `${logical}-id`,
    ResourceType: logical === "flowship" ? "AWS::CloudFormation::Stack" : `AWS::Test::${logical}`,
    ResourceStatus: status,
    ...(reason ? { ResourceStatusReason: reason } : {}),
    Timestamp: new Date(),
  } as StackEvent;
}

/** A CloudFormation whose stack goes through `statuses` and whose events appear a poll at a time. */
function cloudFormation(options: { exists: boolean; statuses: string[]; events: StackEvent[][] }) {
  const client = new CloudFormationClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  let polls = 0;
  let executed = false;
  mock.on(DescribeStacksCommand).callsFake(() => {
    if (!executed) {
      if (!options.exists) throw missing;
      return {
        Stacks: [
          { StackName: "flowship", StackId: STACK_ID, StackStatus: "CREATE_COMPLETE", Description: FLOWSHIP },
        ],
      };
    }
    const status = options.statuses[Math.min(polls++, options.statuses.length - 1)]!;
    return {
      Stacks: [
        {
          StackName: "flowship",
          StackId: STACK_ID,
          StackStatus: status,
          Outputs: [{ OutputKey: "JobQueue", OutputValue: "arn:queue" }],
        },
      ],
    };
  });
  mock.on(DescribeStackEventsCommand).callsFake(() => ({
    // newest first, as CloudFormation lists them
    StackEvents: options.events
      .slice(0, executed ? polls + 1 : 0)
      .flat()
      .reverse(),
  }));
  mock.on(CreateChangeSetCommand).resolves({ Id: "cs-1", StackId: STACK_ID });
  mock.on(DescribeChangeSetCommand).resolves({ Status: "CREATE_COMPLETE" });
  mock.on(ExecuteChangeSetCommand).callsFake(() => {
    executed = true;
    return {};
  });
  return { client, mock };
}

test("a create prints each resource as it completes and returns the outputs", async () => {
  // given
  const { client, mock } = cloudFormation({
    exists: false,
    statuses: ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"],
    events: [
      [
        event(1, "flowship", "CREATE_IN_PROGRESS"),
        event(2, "Bucket", "CREATE_IN_PROGRESS"),
        event(3, "Bucket", "CREATE_COMPLETE"),
      ],
      [event(4, "JobQueue", "CREATE_COMPLETE"), event(5, "flowship", "CREATE_COMPLETE")],
    ],
  });
  const lines: string[] = [];
  // when
  const result = await deployStack({
    name: "flowship",
    template: stackTemplate(),
    client,
    pollMs: 1,
    log: (l) => lines.push(l),
  });
  // then
  assert.deepEqual(result, { outcome: "created", outputs: { JobQueue: "arn:queue" } });
  assert.deepEqual(
    lines.slice(1).map((l) => l.trim().split(/\s+/)),
    [
      ["CREATE_COMPLETE", "AWS::Test::Bucket", "Bucket"],
      ["CREATE_COMPLETE", "AWS::Test::JobQueue", "JobQueue"],
    ],
  );
  const create = mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input;
  assert.equal(create.ChangeSetType, "CREATE");
  assert.deepEqual(create.Capabilities, ["CAPABILITY_NAMED_IAM"]);
  assert.equal(mock.commandCalls(ExecuteChangeSetCommand)[0]!.args[0].input.DisableRollback, true);
});

test("a failed create names each failed resource's reason on one line and is left for inspection", async () => {
  // given
  const { client } = cloudFormation({
    exists: false,
    statuses: ["CREATE_IN_PROGRESS", "CREATE_FAILED"],
    events: [
      [
        event(
          1,
          "ComputeEnvironment",
          "CREATE_FAILED",
          'Resource handler returned message:\n"Subnet subnet-0a1b2c3d\ndoes not exist"',
        ),
      ],
      [
        event(2, "JobQueue", "CREATE_FAILED", "Resource creation cancelled"),
        event(
          3,
          "flowship",
          "CREATE_FAILED",
          "The following resource(s) failed to create: [ComputeEnvironment].",
        ),
      ],
    ],
  });
  const lines: string[] = [];
  // when
  const failure = await deployStack({
    name: "flowship",
    template: stackTemplate(),
    client,
    pollMs: 1,
    log: (l) => lines.push(l),
  }).catch((e) => e);
  // then
  assert.ok(failure instanceof StackDeployError);
  assert.equal(failure.code, "FS_STACK_DEPLOY");
  assert.deepEqual(
    lines.filter((l) => l.startsWith("failed:")),
    [
      'failed: ComputeEnvironment (AWS::Test::ComputeEnvironment): Resource handler returned message: "Subnet subnet-0a1b2c3d does not exist"',
    ],
  );
  assert.doesNotMatch(failure.message, /\n/);
  assert.match(failure.message, /CREATE_FAILED .*flowship aws stack delete --name flowship/);
});

test("a change set with no changes is success, and is deleted", async () => {
  // given
  const { client, mock } = cloudFormation({ exists: true, statuses: [], events: [] });
  mock.on(DescribeChangeSetCommand).resolves({
    Status: "FAILED",
    StatusReason:
      "The submitted information didn't contain changes. Submit different information to create a change set.",
  });
  // when
  const result = await deployStack({
    name: "flowship",
    template: stackTemplate(),
    client,
    pollMs: 1,
    log: () => {},
  });
  // then
  assert.equal(result.outcome, "unchanged");
  assert.equal(mock.commandCalls(CreateChangeSetCommand)[0]!.args[0].input.ChangeSetType, "UPDATE");
  assert.equal(mock.commandCalls(DeleteChangeSetCommand).length, 1);
  assert.equal(mock.commandCalls(ExecuteChangeSetCommand).length, 0);
});

test("a stack deleted while it deploys is a failure saying so, not a create with no outputs", async () => {
  // given: a create that someone deletes (CloudFormation allows DeleteStack during a create)
  const { client } = cloudFormation({
    exists: false,
    statuses: ["CREATE_IN_PROGRESS", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"],
    events: [],
  });
  // when
  const failure = await deployStack({
    name: "flowship",
    template: stackTemplate(),
    client,
    pollMs: 1,
    log: () => {},
  }).catch((e) => e);
  // then
  assert.ok(failure instanceof StackDeployError, String(failure));
  assert.match(
    failure.message,
    /^Stack 'flowship' was deleted while it was being deployed \(it is DELETE_COMPLETE\)/,
  );
});

test("an update whose rollback fails too says how to continue it, not that it was rolled back", async () => {
  // given
  const { client } = cloudFormation({
    exists: true,
    statuses: ["UPDATE_IN_PROGRESS", "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_FAILED"],
    events: [],
  });
  // when
  const failure = await deployStack({
    name: "flowship",
    region: "eu-west-1",
    template: stackTemplate(),
    client,
    pollMs: 1,
    log: () => {},
  }).catch((e) => e);
  // then
  assert.ok(failure instanceof StackDeployError, String(failure));
  assert.match(
    failure.message,
    /it is UPDATE_ROLLBACK_FAILED\. CloudFormation could not roll it back either: .*`aws cloudformation continue-update-rollback --stack-name flowship --region eu-west-1`, and deploy again\.$/,
  );
  // and the next deploy, before any change set, says the same
  const stuck = new CloudFormationClient({ region: "eu-west-1" });
  const mock = mockClient(stuck);
  mock.on(DescribeStacksCommand).resolves({
    Stacks: [
      { StackName: "flowship", StackStatus: "UPDATE_ROLLBACK_FAILED", Description: FLOWSHIP } as never,
    ],
  });
  const refused = await deployStack({ name: "flowship", template: stackTemplate(), client: stuck }).catch(
    (e) => e,
  );
  assert.match(
    refused.message,
    /cannot be updated now: it is UPDATE_ROLLBACK_FAILED\. CloudFormation could not roll back its last update: fix what its events say, then `aws cloudformation continue-update-rollback --stack-name flowship`/,
  );
  assert.equal(mock.commandCalls(CreateChangeSetCommand).length, 0);
});

test("a stack left failed by an earlier create is not updated: delete it first", async () => {
  // given
  const client = new CloudFormationClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  mock.on(DescribeStacksCommand).resolves({
    Stacks: [{ StackName: "flowship", StackStatus: "CREATE_FAILED", Description: FLOWSHIP } as never],
  });
  // when
  const failure = await deployStack({ name: "flowship", template: stackTemplate(), client, pollMs: 1 }).catch(
    (e) => e,
  );
  // then
  assert.ok(failure instanceof StackDeployError);
  assert.match(failure.message, /CREATE_FAILED.*flowship aws stack delete --name flowship/);
  assert.equal(mock.commandCalls(CreateChangeSetCommand).length, 0);
});

test("the stack is followed by its id, and a wait past the timeout fails saying it is still deploying", async () => {
  // given: a create that never settles
  const { client, mock } = cloudFormation({ exists: false, statuses: ["CREATE_IN_PROGRESS"], events: [] });
  // when
  const failure = await deployStack({
    name: "flowship",
    region: "eu-west-1",
    template: stackTemplate(),
    client,
    pollMs: 20,
    timeoutMs: 600,
    log: () => {},
  }).catch((e) => e);
  // then
  assert.ok(failure instanceof StackDeployError);
  assert.equal(failure.code, "FS_STACK_DEPLOY");
  assert.match(
    failure.message,
    /^Stack 'flowship' is still CREATE_IN_PROGRESS after 0\.01 minutes: flowship stopped waiting, CloudFormation goes on\. Check it with `aws cloudformation describe-stacks --stack-name flowship --region eu-west-1`/,
  );
  const lookups = mock.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input.StackName);
  assert.equal(lookups[0], "flowship");
  assert.ok(lookups.length > 2);
  assert.deepEqual(new Set(lookups.slice(1)), new Set([STACK_ID]));
  for (const call of mock.commandCalls(DescribeStackEventsCommand)) {
    assert.equal(call.args[0].input.StackName, STACK_ID);
  }
});
