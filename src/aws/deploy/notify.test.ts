// Alerts on production runs: `--notify-on-error` (and `--notify-on-success`) deploy an EventBridge
// rule on this state machine's execution status changes with an SNS topic as its target; a deploy
// without them, and `delete`, remove it. Every request is checked against AWS's API models
// (botocore), and the input transformer is applied to the event AWS documents, as EventBridge
// applies it, to read the message a subscriber gets.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  DeleteRuleCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { recordedRequests, validateAgainstModels } from "../../../test/helpers/aws-models.js";
import { tempDir } from "../../../test/helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { deleteDeployment } from "./delete.js";
import { deployTarget } from "./resource-names.js";

const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:flowship-alerts`;
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;
const dir = tempDir("flowship-notify-");
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

/**
 * What EventBridge does with an input transformer: each `<name>` of the template becomes the
 * value at its path in the event (a string value without its quotes, inside a quoted template).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
function transform(
  transformer: { InputPathsMap: Record<string, string>; InputTemplate: string },
  event: Record<string, unknown>,
): unknown {
  let text = transformer.InputTemplate;
  for (const [name, jsonPath] of Object.entries(transformer.InputPathsMap)) {
    const value = jsonPath
      .replace(/^\$\./, "")
      .split(".")
      .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], event);
    text = text.split(`<${name}>`).join(String(value));
  }
  return JSON.parse(text);
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
      snsTopic: TOPIC,
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
    const message = transform(
      target.InputTransformer as { InputPathsMap: Record<string, string>; InputTemplate: string },
      failedEvent("3a9f2c41"),
    );
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
      Ids: ["flowship-notify"],
    });
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
});
