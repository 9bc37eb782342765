// Alerts on production runs: `--notify-on-error` (and `--notify-on-success`) deploy an EventBridge
// rule on this state machine's execution status changes with an SNS topic as its target; a deploy
// without them, and `delete`, remove it. Against moto: the rule, its targets, the connection and
// the API destination are read back from EventBridge, every request is checked against AWS's API
// models (botocore), and the input transformer is applied to the event AWS documents, as
// EventBridge applies it, to read the message a subscriber gets.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import {
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  DescribeRuleCommand,
  ListApiDestinationsCommand,
  ListConnectionsCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { tempDir } from "../../../test/helpers/cli.js";
import { ACCOUNT, deployFile, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { calls, type Moto, startMoto } from "../../../test/helpers/moto.js";
import {
  motoBucketStorage,
  motoDeployClients,
  motoDirect,
  operationOf,
  resetMoto,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import { catchEvents, putEvents } from "../../../test/helpers/moto-events.js";
import { describeDeploy } from "../../cli/commands/step-functions/deploy-command.js";
import type { Storage } from "../../datastore/storage.js";
import { stepAlert } from "../batch/step-alert.js";
import { applyInputTransformer, type InputTransformer } from "../events/input-transformer.js";
import { deleteDeployment } from "./delete.js";
import type { DeployClients } from "./deployment.js";
import { deployTarget } from "./resource-names.js";

const BUCKET = "flowship-notify-test";
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:flowship-alerts`;
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;
const dir = tempDir("flowship-notify-");
let moto: Moto;
let aws: { clients: DeployClients };
let direct: ReturnType<typeof motoDirect>;
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

const RULE = "flowship-ParameterFlow-notify";
const STEP_RULE = "flowship-ParameterFlow-step-alert";

/** A rule's targets as EventBridge holds them (the run rule's by default). */
async function targets(rule = RULE) {
  const { Targets } = await direct.events.send(new ListTargetsByRuleCommand({ Rule: rule }));
  return Targets ?? [];
}

/** The alert a step of ParameterFlow sends when it fails (aws/batch/step-alert.ts). */
const STEP_ALERT = stepAlert(
  { stateMachineArn: MACHINE, flowFile: "examples/parameter_flow.ts" },
  {
    flow: "ParameterFlow",
    runId: "sfn-3a9f2c41",
    step: "start",
    taskId: "0",
    error: 'ValueError: "alpha" < 0\n  at start',
  },
);

/** The event the failing step puts on the bus, as EventBridge delivers it. */
function stepAlertEvent(): Record<string, unknown> {
  return {
    version: "0",
    id: "5e1c8a52-9f1b-4a1e-9d4b-7d8f2a3c1b00",
    "detail-type": "flowship.step-failed",
    source: "flowship",
    account: ACCOUNT,
    time: "2026-11-30T02:00:00Z",
    region: REGION,
    resources: [],
    detail: { payload: STEP_ALERT },
  };
}

/** flowship's rules, connections and API destinations left in EventBridge. */
async function leftInEventBridge(): Promise<string[]> {
  const [{ Rules }, { Connections }, { ApiDestinations }] = await Promise.all([
    direct.events.send(new ListRulesCommand({ NamePrefix: "flowship-" })),
    direct.events.send(new ListConnectionsCommand({})),
    direct.events.send(new ListApiDestinationsCommand({})),
  ]);
  return [
    ...(Rules ?? []).map((r) => `rule ${r.Name}`),
    ...(Connections ?? []).map((c) => `connection ${c.Name}`),
    ...(ApiDestinations ?? []).map((d) => `api-destination ${d.Name}`),
  ];
}

describe("alerts on production runs", () => {
  before(async () => {
    moto = await startMoto();
    aws = { clients: motoDeployClients(moto) };
    direct = motoDirect(moto);
    ({ storage, s3Root } = await motoBucketStorage(moto, BUCKET));
  });
  after(() => moto?.close());
  beforeEach(() => resetMoto(moto, BUCKET));

  test("--notify-on-error: a rule on this state machine's failed, timed-out and aborted runs alerts the topic", async () => {
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    const mark = moto.requests.length;
    const result = await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC },
    });
    assert.deepEqual(result.notify, {
      rule: RULE,
      statuses: ["FAILED", "TIMED_OUT", "ABORTED"],
      destinations: [TOPIC],
    });
    const rule = await direct.events.send(new DescribeRuleCommand({ Name: RULE }));
    assert.equal(rule.State, "ENABLED");
    assert.deepEqual(JSON.parse(rule.EventPattern!), {
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: {
        stateMachineArn: [MACHINE],
        $or: [
          { status: ["TIMED_OUT", "ABORTED"] },
          { status: ["FAILED"], cause: [{ "anything-but": { wildcard: '*"ExitCode":204*' } }] },
          { status: ["FAILED"], cause: [{ exists: false }] },
          { status: ["FAILED"], cause: [null] },
        ],
      },
    });
    // The failing step's own alert has a rule of its own, with the same destination.
    const stepRule = await direct.events.send(new DescribeRuleCommand({ Name: STEP_RULE }));
    assert.deepEqual(JSON.parse(stepRule.EventPattern!), {
      source: ["flowship"],
      "detail-type": ["flowship.step-failed"],
      detail: { payload: { state_machine_arn: [MACHINE] } },
    });
    const [stepTarget] = await targets(STEP_RULE);
    assert.equal(stepTarget!.Arn, TOPIC);
    assert.equal(
      transform(stepTarget!.InputTransformer as InputTransformer, stepAlertEvent()),
      STEP_ALERT.text,
    );
    const [target, ...others] = await targets();
    assert.deepEqual(others, []);
    assert.equal(target!.Arn, TOPIC);
    const message = transform(target!.InputTransformer as InputTransformer, failedEvent("3a9f2c41"));
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
    const both = await direct.events.send(new DescribeRuleCommand({ Name: RULE }));
    assert.deepEqual(JSON.parse(both.EventPattern!).detail.$or[0], {
      status: ["TIMED_OUT", "ABORTED", "SUCCEEDED"],
    });
    const removing = moto.requests.length;
    await deployFile(aws, "examples/parameter_flow.ts", options);
    assert.deepEqual(
      sent(moto, "events:DeleteRule", removing).map((r) => r.Name),
      [RULE, STEP_RULE],
    );
    assert.deepEqual(await leftInEventBridge(), []);
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC },
    });
    assert.deepEqual(await leftInEventBridge(), [`rule ${RULE}`, `rule ${STEP_RULE}`]);
    const deployment = deployTarget(testSettings(s3Root), "ParameterFlow");
    const deleted = await deleteDeployment({ clients: aws.clients, target: deployment, user: "alice" });
    assert.equal(deleted.notifyDeleted, true);
    assert.deepEqual(await leftInEventBridge(), []);
    const report = await moto.validate(moto.requests.slice(mark));
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  });

  test("--notify-webhook-url: an API destination the rule calls as the events role; the URL and token are shown nowhere", async () => {
    const options = { s3Root, storage, outDir: path.join(dir, "_code"), sleep: async () => {} };
    const url = "https://hooks.slack.com/services/T0001/B0002/s3cr3tPath";
    const token = "tok-9f8e7d";
    const mark = moto.requests.length;
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
    assert.deepEqual(sent(moto, "events:CreateConnection", mark)[0].AuthParameters, {
      ApiKeyAuthParameters: { ApiKeyName: "Authorization", ApiKeyValue: `Bearer ${token}` },
    });
    const connection = await direct.events.send(new DescribeConnectionCommand({ Name: RULE }));
    assert.deepEqual(
      [
        connection.ConnectionState,
        connection.AuthorizationType,
        connection.AuthParameters?.ApiKeyAuthParameters?.ApiKeyName,
      ],
      ["AUTHORIZED", "API_KEY", "Authorization"],
    );
    const destination = await direct.events.send(new DescribeApiDestinationCommand({ Name: RULE }));
    assert.equal(destination.InvocationEndpoint, url);
    assert.equal(destination.HttpMethod, "POST");
    assert.equal(destination.ConnectionArn, connection.ConnectionArn);
    const webhookTargets = await targets();
    assert.deepEqual(
      webhookTargets.map((t) => [t.Id, t.Arn, t.RoleArn]),
      [
        ["flowship-notify", TOPIC, undefined],
        [
          "flowship-notify-webhook",
          destination.ApiDestinationArn,
          `arn:aws:iam::${ACCOUNT}:role/flowship-events`,
        ],
      ],
    );
    const body = transform(
      webhookTargets[1]!.InputTransformer as InputTransformer,
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
    // The step's own alert reaches the webhook with the step, its error and the resume command as fields.
    const stepWebhook = (await targets(STEP_RULE)).find((t) => t.Id === "flowship-notify-webhook")!;
    assert.equal(stepWebhook.Arn, destination.ApiDestinationArn);
    assert.deepEqual(transform(stepWebhook.InputTransformer as InputTransformer, stepAlertEvent()), {
      text: STEP_ALERT.text,
      flow: "ParameterFlow",
      state_machine: "ParameterFlow",
      run_id: "sfn-3a9f2c41",
      status: "FAILED",
      step: "start",
      error: "ValueError: 'alpha' < 0",
      resume_command:
        "npx flowship examples/parameter_flow.ts step-functions resume --origin-run-id sfn-3a9f2c41",
      time: "2026-11-30T02:00:00Z",
      execution_arn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:3a9f2c41`,
    });
    // Only the two calls that must carry them carry the URL and the token; the printed summary shows the origin.
    const carrying = moto.requests
      .slice(mark)
      .filter((r) => `${r.url} ${r.body}`.includes("s3cr3tPath") || `${r.url} ${r.body}`.includes(token))
      .map(operationOf);
    assert.deepEqual(carrying, ["events:CreateConnection", "events:CreateApiDestination"]);
    const printed = describeDeploy(result.flow, result);
    assert.match(
      printed,
      /Alerts: {9}runs ending FAILED, TIMED_OUT, ABORTED → arn:aws:sns:.*:flowship-alerts and https:\/\/hooks\.slack\.com\/… \(webhook\)\n/,
    );
    assert.doesNotMatch(printed, /s3cr3t|tok-/);

    // A redeploy updates both in place; one with the topic only removes the webhook's target and resources.
    const again = moto.requests.length;
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC, webhook: { url } },
    });
    // EventBridge refuses to create what exists; flowship then updates it.
    const creates = moto.requests.slice(again).filter((r) => operationOf(r) === "events:CreateConnection");
    assert.deepEqual(
      creates.map((r) => r.status),
      [400],
      "create tried, then updated",
    );
    assert.deepEqual(sent(moto, "events:UpdateConnection", again)[0].AuthParameters, {
      ApiKeyAuthParameters: { ApiKeyName: "X-Flowship-Alert", ApiKeyValue: "flowship" },
    });
    const updated = await direct.events.send(new DescribeConnectionCommand({ Name: RULE }));
    assert.equal(updated.AuthParameters?.ApiKeyAuthParameters?.ApiKeyName, "X-Flowship-Alert");
    assert.equal(sent(moto, "events:UpdateApiDestination", again).length, 1);
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: true, onSuccess: false, snsTopic: TOPIC },
    });
    assert.deepEqual(
      (await targets()).map((t) => t.Id),
      ["flowship-notify"],
    );
    assert.deepEqual(
      (await targets(STEP_RULE)).map((t) => t.Id),
      ["flowship-notify"],
    );
    assert.deepEqual(await leftInEventBridge(), [`rule ${RULE}`, `rule ${STEP_RULE}`]);

    // Webhook only, then delete: rule, destination and connection all go.
    await deployFile(aws, "examples/parameter_flow.ts", {
      ...options,
      notify: { onError: false, onSuccess: true, webhook: { url } },
    });
    assert.deepEqual(
      (await targets()).map((t) => t.Id),
      ["flowship-notify-webhook"],
    );
    assert.deepEqual(await leftInEventBridge(), [
      `rule ${RULE}`,
      `connection ${RULE}`,
      `api-destination ${RULE}`,
    ]);
    const deployment = deployTarget(testSettings(s3Root), "ParameterFlow");
    const deleted = await deleteDeployment({ clients: aws.clients, target: deployment, user: "alice" });
    assert.equal(deleted.notifyDeleted, true);
    assert.deepEqual(await leftInEventBridge(), []);
    const report = await moto.validate(moto.requests.slice(mark));
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  });

  test("one message per failure: the run rule leaves out failures whose step sent its alert", async () => {
    // given: error alerts to a webhook (moto's EventBridge cannot deliver to SNS), and rules of the
    // test's own with the two patterns, whose matches moto's matcher writes to a log group
    await deployFile(aws, "examples/parameter_flow.ts", {
      s3Root,
      storage,
      outDir: path.join(dir, "_code"),
      sleep: async () => {},
      notify: { onError: true, onSuccess: false, webhook: { url: "https://hooks.example.com/alerts" } },
    });
    const pattern = async (rule: string) =>
      (await direct.events.send(new DescribeRuleCommand({ Name: rule }))).EventPattern!;
    const runRule = await catchEvents(moto, "test-run-rule", await pattern(RULE));
    const stepRule = await catchEvents(moto, "test-step-rule", await pattern(STEP_RULE));
    // The cause of a failed Batch Task: the job's description as Step Functions puts it.
    const jobCause = (exitCode: number) =>
      JSON.stringify({
        Attempts: [
          {
            Container: { ExitCode: exitCode, LogStreamName: "x" },
            StatusReason: "Essential container in task exited",
          },
        ],
        Container: { ExitCode: exitCode, LogStreamName: "x" },
        JobName: "ParameterFlow-start",
        Status: "FAILED",
      });
    const ended = (name: string, status: string, cause?: string) => ({
      source: "aws.states",
      detailType: "Step Functions Execution Status Change",
      detail: {
        ...(failedEvent(name).detail as object),
        status,
        ...(cause === undefined ? { cause: undefined } : { cause }),
      },
    });
    // when: a step fails and alerts (its job exits 204), a task dies (137), a run fails without a
    // cause, one times out, one succeeds; and the failing step's own event
    await putEvents(moto, [
      ended("alerted", "FAILED", jobCause(204)),
      ended("died", "FAILED", jobCause(137)),
      ended("no-cause", "FAILED"),
      ended("timed-out", "TIMED_OUT"),
      ended("fine", "SUCCEEDED"),
      { source: "flowship", detailType: "flowship.step-failed", detail: { payload: STEP_ALERT } },
    ]);
    // then: the run rule alerts every end but the alerted failure and the success; the step rule the step's event
    assert.deepEqual((await runRule.caught()).map((e) => e.detail.name).sort(), [
      "died",
      "no-cause",
      "timed-out",
    ]);
    const [caught, ...more] = await stepRule.caught();
    assert.deepEqual(more, []);
    assert.deepEqual(caught!.detail, { payload: STEP_ALERT });
  });

  test("an AWS error that quotes the webhook URL back is shown without it", async () => {
    const url = "https://example.com/hooks/very-secret-path";
    moto.inject({
      match: calls("events:CreateApiDestination"),
      code: "ValidationException",
      message: `1 validation error detected: Value '${url}' at 'invocationEndpoint' failed to satisfy constraint`,
      times: 1,
    });
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
    moto.inject({
      match: calls("events:DeleteApiDestination"),
      code: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: events:DeleteApiDestination on resource: arn:aws:events:${REGION}:${ACCOUNT}:api-destination/${RULE}`,
    });
    const options = { s3Root, storage, outDir: path.join(dir, "_code") };
    await deployFile(aws, "examples/parameter_flow.ts", options);
    const again = moto.requests.length;
    const redeployed = await deployFile(aws, "examples/parameter_flow.ts", options);
    assert.equal(redeployed.version, 2);
    const denied = moto.requests.slice(again).filter((r) => operationOf(r) === "events:DeleteApiDestination");
    assert.deepEqual(
      denied.map((r) => r.status),
      [400],
    );
  });
});
