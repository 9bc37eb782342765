// Three branches of one project flow deployed by the real CLI — the deployer's own, a test branch
// and production — against moto (test/helpers/moto.ts), each request checked with botocore's
// models: they coexist, chain within their branch, each has its event rule, and deleting the test
// branch leaves the other two whole.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { ListStateMachinesCommand } from "@aws-sdk/client-sfn";
import { runCli, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
import { deployerEnv, prepareAccount, sdkClients } from "../helpers/moto-account.js";

const dir = tempDir("flowship-project-deploys-");
const file = path.join(dir, "scoring.ts");
fs.writeFileSync(
  file,
  `import { flow, project, trigger, triggerOnFinish } from "flowship";
export default flow("ScoringFlow")
  .parameter("alpha", { default: 0.1 })
  .decorator(project({ name: "fraud" }))
  .decorator(triggerOnFinish({ flow: "TrainFlow" }))
  .decorator(trigger({ event: "data_ready", parameters: { alpha: "payload.alpha" } }))
  .step("start", () => {}, { next: "end" })
  .step("end", () => {});
`,
);
const machineArn = (name: string) => `arn:aws:states:eu-west-1:${MOTO_ACCOUNT}:stateMachine:${name}`;

describe("project branches deployed from the command line", () => {
  let moto: Moto;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    moto = await startMoto();
    await prepareAccount(moto);
    env = deployerEnv(dir, moto);
  });
  after(() => moto?.close());

  test("three branches coexist, chain within their branch, and are deleted independently", async () => {
    const aws = sdkClients(moto);
    const machines = async () =>
      ((await aws.sfn.send(new ListStateMachinesCommand({}))).stateMachines ?? []).map((m) => m.name).sort();
    const rules = async () =>
      ((await aws.events.send(new ListRulesCommand({ NamePrefix: "flowship-" }))).Rules ?? [])
        .map((r) => r.Name)
        .sort();
    for (const flags of [[], ["--branch", "staging"], ["--production"]]) {
      const created = await runCli([file, "step-functions", "create", ...flags], { env });
      assert.equal(created.code, 0, created.stderr);
    }
    const names = [
      "fraud_user-alice_ScoringFlow",
      "fraud_test-staging_ScoringFlow",
      "fraud_prod_ScoringFlow",
    ];
    assert.deepEqual(await machines(), [...names].sort());
    // Each branch's on-finish rule starts its own deployment and listens to its branch's TrainFlow.
    const upstream = ["fraud_user-alice_TrainFlow", "fraud_test-staging_TrainFlow", "fraud_prod_TrainFlow"];
    for (const [i, name] of names.entries()) {
      const onFinish = `flowship-${name}-on-finish`;
      const { Targets: targets } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: onFinish }));
      assert.deepEqual(
        targets?.map((t) => t.Arn),
        [`${machineArn(name)}:production`],
      );
      const rule = await aws.events.send(new DescribeRuleCommand({ Name: onFinish }));
      assert.deepEqual(JSON.parse(rule.EventPattern!).detail.stateMachineArn, [machineArn(upstream[i]!)]);
      const event = `flowship-${name}-event-data_ready`;
      const { Targets: eventTargets } = await aws.events.send(new ListTargetsByRuleCommand({ Rule: event }));
      assert.deepEqual(
        eventTargets?.map((t) => t.Arn),
        [`${machineArn(name)}:production`],
        name,
      );
    }

    // when: the test branch is deleted
    const deleted = await runCli([file, "step-functions", "delete", "--branch", "staging"], { env });
    // then
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(
      deleted.stdout,
      /^Deleted state machine .*:fraud_test-staging_ScoringFlow and its triggerOnFinish rule and its 1 event rule\.\n/,
    );
    assert.deepEqual(await machines(), [names[2], names[0]]);
    assert.deepEqual(await rules(), [
      "flowship-fraud_prod_ScoringFlow-event-data_ready",
      "flowship-fraud_prod_ScoringFlow-on-finish",
      "flowship-fraud_user-alice_ScoringFlow-event-data_ready",
      "flowship-fraud_user-alice_ScoringFlow-on-finish",
    ]);
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked > 0);
  });
});
