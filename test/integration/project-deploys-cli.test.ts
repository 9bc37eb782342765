// Three branches of one project flow deployed by the real CLI — the deployer's own, a test branch
// and production — against the loopback AWS stand-in (aws-deploy-world.ts) and s3rver, each
// request checked with botocore's models: they coexist, chain within their branch, each has its
// event rule, and deleting the test branch leaves the other two whole.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type DeployWorld, deployerEnv, deployWorld } from "../helpers/aws-deploy-world.js";
import { validateAgainstModels } from "../helpers/aws-models.js";
import { type AwsStandIn, asModelRequests, startAwsStandIn } from "../helpers/aws-stand-in.js";
import { runCli, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const dir = tempDir("flowship-project-deploys-");
const ACCOUNT = "123456789012";
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

describe("project branches deployed from the command line", () => {
  let s3: S3TestServer;
  let world: DeployWorld;
  let aws: AwsStandIn;
  let env: NodeJS.ProcessEnv;

  before(async () => {
    s3 = await startS3Server();
    world = deployWorld();
    aws = await startAwsStandIn(world.answers);
    env = deployerEnv(dir, aws.endpoint, s3);
  });
  after(async () => {
    await aws?.close();
    await s3?.close();
  });

  test("three branches coexist, chain within their branch, and are deleted independently", async () => {
    for (const flags of [[], ["--branch", "staging"], ["--production"]]) {
      const created = await runCli([file, "step-functions", "create", ...flags], { env });
      assert.equal(created.code, 0, created.stderr);
    }
    const names = [
      "fraud_user-alice_ScoringFlow",
      "fraud_test-staging_ScoringFlow",
      "fraud_prod_ScoringFlow",
    ];
    assert.deepEqual([...world.machines.keys()], names);
    const onFinish = (name: string) => {
      const rule = world.rules.get(`default/flowship-${name}-on-finish`);
      return rule?.targets.map((t) => t.Arn);
    };
    // Each branch's on-finish rule starts its own deployment (and listens to its branch's TrainFlow).
    for (const name of names) {
      assert.deepEqual(onFinish(name), [
        `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:${name}:production`,
      ]);
      assert.ok(world.rules.has(`default/flowship-${name}-event-data_ready`), name);
    }
    const patterns = aws.calls
      .filter((c) => c.operation === "PutRule" && String(c.body.Name).endsWith("-on-finish"))
      .map((c) => JSON.parse(String(c.body.EventPattern)).detail.stateMachineArn);
    assert.deepEqual(
      patterns,
      ["fraud_user-alice_TrainFlow", "fraud_test-staging_TrainFlow", "fraud_prod_TrainFlow"].map((n) => [
        `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:${n}`,
      ]),
    );

    // when: the test branch is deleted
    const deleted = await runCli([file, "step-functions", "delete", "--branch", "staging"], { env });
    // then
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(
      deleted.stdout,
      /^Deleted state machine .*:fraud_test-staging_ScoringFlow and its triggerOnFinish rule and its 1 event rule\.\n/,
    );
    assert.deepEqual([...world.machines.keys()], [names[0], names[2]]);
    assert.deepEqual([...world.rules.keys()].sort(), [
      "default/flowship-fraud_prod_ScoringFlow-event-data_ready",
      "default/flowship-fraud_prod_ScoringFlow-on-finish",
      "default/flowship-fraud_user-alice_ScoringFlow-event-data_ready",
      "default/flowship-fraud_user-alice_ScoringFlow-on-finish",
    ]);
    const report = await validateAgainstModels(asModelRequests(aws.calls));
    assert.deepEqual(report.findings, []);
  });
});
