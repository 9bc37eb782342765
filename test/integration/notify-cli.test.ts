// Alerts deployed by the real CLI: `step-functions create --notify-on-error --notify-webhook-url`
// against moto (test/helpers/moto.ts: Step Functions, Batch, EventBridge and S3 in one account),
// every request checked against AWS's own API models (botocore). The webhook's URL and token must
// reach only the two EventBridge calls that store them — never the output, never another request —
// and `delete` must remove the rule, the API destination and the connection.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  DescribeApiDestinationCommand,
  DescribeConnectionCommand,
  DescribeRuleCommand,
  ListTargetsByRuleCommand,
} from "@aws-sdk/client-eventbridge";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { runCli, tempDir } from "../helpers/cli.js";
import { callName, MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
import { deployerEnv, prepareAccount, ROLES, roleArn, sdkClients } from "../helpers/moto-account.js";

const dir = tempDir("flowship-notify-cli-");
const MACHINE = `arn:aws:states:eu-west-1:${MOTO_ACCOUNT}:stateMachine:ParameterFlow`;
const RULE = "flowship-ParameterFlow-notify";
const STEP_RULE = "flowship-ParameterFlow-step-alert";
const DESTINATION = "flowship-ParameterFlow-notify";
const HOOK_URL_SECRET = "Zq8sLackPathSecret";
const HOOK_URL = `https://hooks.slack.com/services/T01/B02/${HOOK_URL_SECRET}`;
const TOKEN = "tok-4c1d2e3f";

describe("alerts deployed from the command line", () => {
  let moto: Moto;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    moto = await startMoto();
    await prepareAccount(moto);
    env = deployerEnv(dir, moto, {
      FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL: HOOK_URL,
      FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH: `Authorization: Bearer ${TOKEN}`,
    });
  });
  after(() => moto?.close());

  test("create --notify-on-error deploys the webhook, shows it by its origin, and delete removes it", async () => {
    const aws = sdkClients(moto);
    // when
    const created = await runCli(
      ["examples/parameter_flow.ts", "step-functions", "create", "--notify-on-error"],
      { env },
    );
    // then: the summary names the webhook by its origin only
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stdout,
      /\n {2}Alerts: {9}runs ending FAILED, TIMED_OUT, ABORTED → https:\/\/hooks\.slack\.com\/… \(webhook\)\n/,
    );
    for (const text of [created.stdout, created.stderr]) {
      assert.equal(text.includes(HOOK_URL_SECRET) || text.includes(TOKEN), false, text);
    }
    const events = moto.requests.filter((r) => r.service === "events");
    assert.deepEqual(
      events.map((r) => r.operation),
      [
        "CreateConnection",
        "DescribeConnection",
        "CreateApiDestination",
        // The run rule, then the step alert rule: each put with its targets, the SNS one removed.
        "PutRule",
        "PutTargets",
        "RemoveTargets",
        "PutRule",
        "PutTargets",
        "RemoveTargets",
      ],
    );
    // Only the connection's request holds the token, only the API destination's the URL (no
    // request to any service, S3's uploads included, carries either).
    const carrying = (secret: string) =>
      moto.requests.filter((r) => r.body.includes(secret) || r.url.includes(secret)).map(callName);
    assert.deepEqual(carrying(TOKEN), ["events:CreateConnection"]);
    assert.deepEqual(carrying(HOOK_URL_SECRET), ["events:CreateApiDestination"]);
    // and: what EventBridge now holds
    const connection = await aws.events.send(new DescribeConnectionCommand({ Name: DESTINATION }));
    assert.equal(connection.AuthorizationType, "API_KEY");
    assert.equal(connection.AuthParameters?.ApiKeyAuthParameters?.ApiKeyName, "Authorization");
    const destination = await aws.events.send(new DescribeApiDestinationCommand({ Name: DESTINATION }));
    assert.deepEqual(
      [destination.InvocationEndpoint, destination.HttpMethod, destination.ConnectionArn],
      [HOOK_URL, "POST", connection.ConnectionArn],
    );
    const rule = await aws.events.send(new DescribeRuleCommand({ Name: RULE }));
    assert.equal(rule.State, "ENABLED");
    // (the patterns themselves: src/aws/deploy/notify.test.ts)
    const pattern = JSON.parse(rule.EventPattern!);
    assert.deepEqual([pattern.source, pattern.detail.stateMachineArn], [["aws.states"], [MACHINE]]);
    for (const name of [RULE, STEP_RULE]) {
      const { Targets: targets } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: name }));
      assert.deepEqual(
        targets?.map((t) => [t.Id, t.Arn, t.RoleArn]),
        [["flowship-notify-webhook", destination.ApiDestinationArn, roleArn(ROLES.eventsRole)]],
      );
    }

    // when: the deployment is deleted
    const sent = moto.requests.length;
    const deleted = await runCli(["examples/parameter_flow.ts", "step-functions", "delete"], { env });
    // then
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /^Deleted state machine .*:ParameterFlow and its alerts\.\n/);
    assert.deepEqual(
      moto.requests
        .slice(sent)
        .filter((r) => r.service !== "s3")
        .slice(-8)
        .map(callName),
      [
        "events:RemoveTargets",
        "events:DeleteRule",
        "events:RemoveTargets",
        "events:DeleteRule",
        "events:DeleteApiDestination",
        "events:DeleteConnection",
        "events:ListRules",
        "states:DeleteStateMachine",
      ],
    );
    // and: nothing of the deployment is left
    const gone = { name: "ResourceNotFoundException" };
    await assert.rejects(aws.events.send(new DescribeRuleCommand({ Name: RULE })), gone);
    await assert.rejects(aws.events.send(new DescribeRuleCommand({ Name: STEP_RULE })), gone);
    await assert.rejects(aws.events.send(new DescribeApiDestinationCommand({ Name: DESTINATION })), gone);
    await assert.rejects(aws.events.send(new DescribeConnectionCommand({ Name: DESTINATION })), gone);
    await assert.rejects(aws.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: MACHINE })), {
      name: "StateMachineDoesNotExist",
    });
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked >= 15, `checked ${report.checked} requests`);
  });

  test("a later create without --notify-on-error says it removed the alerts", async () => {
    const create = (...flags: string[]) =>
      runCli(["examples/parameter_flow.ts", "step-functions", "create", ...flags], { env });
    // given: a deployment with alerts (the webhook is set in the environment, as configure aws would)
    const alerted = await create("--notify-on-error");
    assert.equal(alerted.code, 0, alerted.stderr);
    // when: deployed again without the flag
    const plain = await create();
    // then: the summary says the alerts went, and how to keep them
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(
      plain.stdout,
      /\nnote: the alerts of the previous deployment are removed: this create had no --notify-on-error or --notify-on-success\. To keep them, deploy with those flags/,
    );
    await assert.rejects(sdkClients(moto).events.send(new DescribeRuleCommand({ Name: RULE })), {
      name: "ResourceNotFoundException",
    });
  });
});
