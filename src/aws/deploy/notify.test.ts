// Alerts on production runs: `--notify-on-error` (and `--notify-on-success`) deploy an EventBridge
// rule on this state machine's execution status changes with an SNS topic as its target; a deploy
// without them, and `delete`, remove it. Every request is checked against AWS's API models
// (botocore), and the input transformer is applied to the event AWS documents, as EventBridge
// applies it, to read the message a subscriber gets.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CreateApiDestinationCommand,
  CreateConnectionCommand,
  DeleteApiDestinationCommand,
  DeleteRuleCommand,
  EventBridgeServiceException,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { recordedRequests, validateAgainstModels } from "../../../test/helpers/aws-models.js";
import { tempDir } from "../../../test/helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { describeDeploy } from "../../cli/commands/step-functions/deploy-command.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { applyInputTransformer, type InputTransformer } from "../events/input-transformer.js";
import { deleteDeployment } from "./delete.js";
import { deployTarget } from "./resource-names.js";

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:flowship-alerts`;
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;
const dir = tempDir("flowship-notify-");
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

/** The message a target gets from an input transformer and an event. */
function transform(transformer: InputTransformer, event: object): unknown {
  return JSON.parse(applyInputTransformer(transformer, event));
}

/** "Execution Status Change" for a failed execution, as the Step Functions guide shows it. */
function failedEvent(execution: string): Record<string, unknown> {
  return {
    version: "0",
    id: "315c1398-40ff-a850-213b-158f73e60175",
    "detail-type": "Step Functions Execution Status Change",
    source: "aws.states",
    account: ACCOUNT,
    time: "2026-11-30T02:00:00Z",
    region: REGION,
    resources: [`arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:${execution}`],
    detail: {
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:${execution}`,
      stateMachineArn: MACHINE,
      name: execution,
      status: "FAILED",
      startDate: 1_795_995_000_000,
      stopDate: 1_795_995_060_000,
      input: '{"Parameters":"{}"}',
      output: null,
      error: "States.TaskFailed",
      cause: "Essential container in task exited",
    },
  };
}

describe("alerts on production runs", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("--notify-on-error: a rule on this state machine's failed, timed-out and aborted runs alerts the topic", async () => {
    const aws = new FakeAws();
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    const result = await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC },
    });
    assert.deepEqual(result.notify, {
      rule: "flowship-ParameterFlow-notify",
      statuses: ["FAILED", "TIMED_OUT", "ABORTED"],
      destinations: [TOPIC],
    });
    const rule = aws.events.commandCalls(PutRuleCommand).at(-1)!.args[0].input;
    assert.equal(rule.Name, "flowship-ParameterFlow-notify");
    assert.deepEqual(JSON.parse(rule.EventPattern!), {
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: [MACHINE] },
    });
    const target = aws.events.commandCalls(PutTargetsCommand).at(-1)!.args[0].input.Targets![0]!;
    assert.equal(target.Arn, TOPIC);
    const message = transform(target.InputTransformer as InputTransformer, failedEvent("3a9f2c41"));
    assert.equal(
      message,
      "flowship: run sfn-3a9f2c41 of flow ParameterFlow (state machine ParameterFlow) ended FAILED at 2026-11-30T02:00:00Z. " +
        "Why: npx flowship examples/parameter_flow.ts step-functions list-runs --failed, then npx flowship examples/parameter_flow.ts logs sfn-3a9f2c41/<step> --stderr. " +
        `Console: https://${REGION}.console.aws.amazon.com/states/home?region=${REGION}#/v2/executions/details/arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:3a9f2c41`,
    );

    // --notify-on-success adds SUCCEEDED; a deploy without the flags removes the rule; so does delete.
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: true, snsTopic: TOPIC },
    });
    const both = JSON.parse(aws.events.commandCalls(PutRuleCommand).at(-1)!.args[0].input.EventPattern!);
    assert.deepEqual(both.detail.status, ["FAILED", "TIMED_OUT", "ABORTED", "SUCCEEDED"]);
    await deployFile(aws, "examples/parameter_flow.ts", options);
    assert.deepEqual(aws.events.commandCalls(RemoveTargetsCommand).at(-1)!.args[0].input, {
      Rule: "flowship-ParameterFlow-notify",
      Ids: ["flowship-notify", "flowship-notify-webhook"],
    });
    assert.equal(aws.rules.has("flowship-ParameterFlow-notify"), false);
    assert.deepEqual(aws.events.commandCalls(DeleteRuleCommand).at(-1)!.args[0].input, {
      Name: "flowship-ParameterFlow-notify",
    });
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC },
    });
    const deployment = deployTarget(testSettings(s3Root), "ParameterFlow");
    const deleted = await deleteDeployment({ clients: aws.clients, target: deployment, user: "alice" });
    assert.equal(deleted.notifyDeleted, true);
    const report = await validateAgainstModels(recordedRequests(aws));
    assert.deepEqual(report.findings, []);
  });

  test("--notify-webhook-url: an API destination the rule calls as the events role; the URL and token are shown nowhere", async () => {
    const aws = new FakeAws();
    const options = { s3Root, storage, outDir: path.join(dir, "_code"), sleep: async () => {} };
    const url = "https://hooks.slack.com/services/T0001/B0002/s3cr3tPath";
    const token = "tok-9f8e7d";
    const result = await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: {
        onError: true,
        onSuccess: false,
        snsTopic: TOPIC,
        webhook: { url, auth: { header: "Authorization", value: `Bearer ${token}` } },
      },
    });
    assert.deepEqual(result.notify?.destinations, [TOPIC, "https://hooks.slack.com/… (webhook)"]);
    // The connection holds the header (EventBridge keeps it in Secrets Manager), the API destination the URL.
    const connection = aws.connections.get("flowship-ParameterFlow-notify")!;
    assert.deepEqual(connection.AuthParameters, {
      ApiKeyAuthParameters: { ApiKeyName: "Authorization", ApiKeyValue: `Bearer ${token}` },
    });
    const destination = aws.apiDestinations.get("flowship-ParameterFlow-notify")!;
    assert.equal(destination.InvocationEndpoint, url);
    assert.equal(destination.HttpMethod, "POST");
    const targets = aws.rules.get("flowship-ParameterFlow-notify")!.targets as Record<string, unknown>[];
    assert.deepEqual(
      targets.map((t) => [t.Id, t.Arn, t.RoleArn]),
      [
        ["flowship-notify", TOPIC, undefined],
        [
          "flowship-notify-webhook",
          `arn:aws:events:${REGION}:${ACCOUNT}:api-destination/flowship-ParameterFlow-notify/9b2e7f10`,
          `arn:aws:iam::${ACCOUNT}:role/flowship-events`,
        ],
      ],
    );
    const body = transform(
      targets[1]!.InputTransformer as InputTransformer,
      failedEvent("3a9f2c41"),
    ) as Record<string, string>;
    assert.match(
      body.text!,
      /^flowship: run sfn-3a9f2c41 of flow ParameterFlow \(state machine ParameterFlow\) ended FAILED at 2026-11-30T02:00:00Z\. Why: /,
    );
    assert.deepEqual(
      { ...body, text: undefined },
      {
        text: undefined,
        flow: "ParameterFlow",
        state_machine: "ParameterFlow",
        run_id: "sfn-3a9f2c41",
        status: "FAILED",
        time: "2026-11-30T02:00:00Z",
        execution_arn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:3a9f2c41`,
      },
    );
    // Only the two calls that must carry them carry the URL and the token; the printed summary shows the origin.
    const carrying = recordedRequests(aws)
      .filter(
        (r) => JSON.stringify(r.input).includes("s3cr3tPath") || JSON.stringify(r.input).includes(token),
      )
      .map((r) => r.operation);
    assert.deepEqual(carrying, ["CreateConnection", "CreateApiDestination"]);
    const printed = describeDeploy(result.flow, result);
    assert.match(
      printed,
      /Alerts: {9}runs ending FAILED, TIMED_OUT, ABORTED → arn:aws:sns:.*:flowship-alerts and https:\/\/hooks\.slack\.com\/… \(webhook\)\n/,
    );
    assert.doesNotMatch(printed, /s3cr3t|tok-/);

    // A redeploy updates both in place; one with the topic only removes the webhook's target and resources.
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC, webhook: { url } },
    });
    assert.deepEqual(aws.connections.get("flowship-ParameterFlow-notify")!.AuthParameters, {
      ApiKeyAuthParameters: { ApiKeyName: "X-Flowship-Alert", ApiKeyValue: "flowship" },
    });
    assert.equal(aws.events.commandCalls(CreateConnectionCommand).length, 2, "create tried, then updated");
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC },
    });
    assert.deepEqual(
      (aws.rules.get("flowship-ParameterFlow-notify")!.targets as Record<string, unknown>[]).map((t) => t.Id),
      ["flowship-notify"],
    );
    assert.equal(aws.connections.size + aws.apiDestinations.size, 0);

    // Webhook only, then delete: rule, destination and connection all go.
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: false, onSuccess: true, webhook: { url } },
    });
    assert.deepEqual(
      (aws.rules.get("flowship-ParameterFlow-notify")!.targets as Record<string, unknown>[]).map((t) => t.Id),
      ["flowship-notify-webhook"],
    );
    const deployment = deployTarget(testSettings(s3Root), "ParameterFlow");
    const deleted = await deleteDeployment({ clients: aws.clients, target: deployment, user: "alice" });
    assert.equal(deleted.notifyDeleted, true);
    assert.equal(aws.rules.size + aws.connections.size + aws.apiDestinations.size, 0);
    const report = await validateAgainstModels(recordedRequests(aws));
    assert.deepEqual(report.findings, []);
  });

  test("an AWS error that quotes the webhook URL back is shown without it", async () => {
    const aws = new FakeAws();
    const url = "https://example.com/hooks/very-secret-path";
    aws.events.on(CreateApiDestinationCommand).rejects(
      new EventBridgeServiceException({
        name: "ValidationException",
        $fault: "client",
        message: `1 validation error detected: Value '${url}' at 'invocationEndpoint' failed to satisfy constraint`,
        $metadata: {},
      }),
    );
    await assert.rejects(
      deployFile(aws, "examples/parameter_flow.ts", {
        s3Root,
        storage,
        outDir: path.join(dir, "_code"),
        notify: { onError: true, onSuccess: false, webhook: { url } },
      }),
      (error: Error & { cause?: unknown }) => {
        assert.equal(
          error.message,
          "AWS call events:CreateApiDestination failed for 'flowship-ParameterFlow-notify': ValidationException: 1 validation error detected: Value '[hidden]' at 'invocationEndpoint' failed to satisfy constraint. Check the AWS settings with `flowship configure aws` and try again.",
        );
        assert.equal(error.cause, undefined);
        return true;
      },
    );
  });

  test("a redeploy by a deployer whose policy predates webhook alerts still succeeds", async () => {
    const aws = new FakeAws();
    aws.events.on(DeleteApiDestinationCommand).rejects(
      new EventBridgeServiceException({
        name: "AccessDeniedException",
        $fault: "client",
        message: "not authorized to perform: events:DeleteApiDestination",
        $metadata: {},
      }),
    );
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    await deployFile(aws, "examples/parameter_flow.ts", options);
    const again = await deployFile(aws, "examples/parameter_flow.ts", options);
    assert.equal(again.version, 2);
    assert.equal(aws.events.commandCalls(DeleteApiDestinationCommand).length, 1);
  });
});
