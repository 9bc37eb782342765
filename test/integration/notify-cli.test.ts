// Alerts deployed by the real CLI: `step-functions create --notify-on-error --notify-webhook-url`
// against loopback stand-ins (Step Functions, Batch, EventBridge; S3 on s3rver), every request
// checked against AWS's own API models (botocore). The webhook's URL and token must reach only
// the two EventBridge calls that store them — never the output, never another request — and
// `delete` must remove the rule, the API destination and the connection.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { deployerEnv, deployWorld } from "../helpers/aws-deploy-world.js";
import { validateAgainstModels } from "../helpers/aws-models.js";
import { type AwsStandIn, asModelRequests, startAwsStandIn } from "../helpers/aws-stand-in.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const dir = tempDir("flowship-notify-cli-");
const ACCOUNT = "123456789012";
const MACHINE = `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:ParameterFlow`;
const DESTINATION = `arn:aws:events:eu-west-1:${ACCOUNT}:api-destination/flowship-ParameterFlow-notify/0f1e2d3c`;
const EVENTS_ROLE = `arn:aws:iam::${ACCOUNT}:role/flowship-events`;
const HOOK_SECRET = "Zq8sLackPathSecret";
const TOKEN = "tok-4c1d2e3f";

describe("alerts deployed from the command line", () => {
  let s3: S3TestServer;
  let aws: AwsStandIn;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    s3 = await startS3Server();
    aws = await startAwsStandIn(deployWorld().answers);
    env = deployerEnv(dir, aws.endpoint, s3, {
      FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL: `https://hooks.slack.com/services/T01/B02/${HOOK_SECRET}`,
      FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH: `Authorization: Bearer ${TOKEN}`,
    });
  });
  after(async () => {
    await aws?.close();
    await s3?.close();
  });

  test("create --notify-on-error deploys the webhook, shows it by its origin, and delete removes it", async () => {
    // when
    const created = await runCli(
      ["examples/parameter_flow.ts", "step-functions", "create", "--notify-on-error"],
      {
        env,
      },
    );
    // then: the summary names the webhook by its origin only
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stdout,
      /\n {2}Alerts: {9}runs ending FAILED, TIMED_OUT, ABORTED → https:\/\/hooks\.slack\.com\/… \(webhook\)\n/,
    );
    for (const text of [created.stdout, created.stderr]) {
      assert.equal(text.includes(HOOK_SECRET) || text.includes(TOKEN), false, text);
    }
    const events = aws.calls.filter((c) => c.service === "events");
    assert.deepEqual(
      events.map((c) => c.operation),
      [
        "CreateConnection",
        "DescribeConnection",
        "CreateApiDestination",
        "PutRule",
        "PutTargets",
        "RemoveTargets",
      ],
    );
    // Only the connection holds the token, only the API destination the URL.
    const carrying = aws.calls
      .filter((c) => JSON.stringify(c.body).includes(HOOK_SECRET) || JSON.stringify(c.body).includes(TOKEN))
      .map((c) => `${c.service}:${c.operation}`);
    assert.deepEqual(carrying, ["events:CreateConnection", "events:CreateApiDestination"]);
    const rule = events.find((c) => c.operation === "PutRule")!.body;
    assert.deepEqual(JSON.parse(String(rule.EventPattern)), {
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status: ["FAILED", "TIMED_OUT", "ABORTED"], stateMachineArn: [MACHINE] },
    });
    const [target] = events.find((c) => c.operation === "PutTargets")!.body.Targets as Record<
      string,
      unknown
    >[];
    assert.deepEqual(
      [target!.Id, target!.Arn, target!.RoleArn],
      ["flowship-notify-webhook", DESTINATION, EVENTS_ROLE],
    );

    // when: the deployment is deleted
    const deleted = await runCli(["examples/parameter_flow.ts", "step-functions", "delete"], { env });
    // then
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^Deleted state machine .*:ParameterFlow and its alerts\.\n/);
    assert.deepEqual(
      aws.calls.slice(-6).map((c) => `${c.service}:${c.operation}`),
      [
        "events:RemoveTargets",
        "events:DeleteRule",
        "events:DeleteApiDestination",
        "events:DeleteConnection",
        "events:ListRules",
        "sfn:DeleteStateMachine",
      ],
    );
    const report = await validateAgainstModels(asModelRequests(aws.calls));
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked >= 15, `checked ${report.checked} requests`);
  });
});
