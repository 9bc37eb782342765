// A flow with project(): each branch — the deployer's own, a test branch, production — is its own
// deployment (state machine, job definition, rules) named after project and branch, its tasks learn
// their branch, triggerOnFinish stays within the branch, and deleting one leaves the others.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { recordedRequests, validateAgainstModels } from "../../../test/helpers/aws-models.js";
import { tempDir } from "../../../test/helpers/cli.js";
import { deployFile, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { resolveBranch } from "../../flow/project.js";
import { deleteDeployment } from "./delete.js";
import { deployTarget } from "./resource-names.js";

const dir = tempDir("flowship-project-deploy-");
const flowFile = path.join(dir, "scoring.ts");
fs.writeFileSync(
  flowFile,
  `import { flow, project, triggerOnFinish } from "flowship";
export default flow("ScoringFlow")
  .decorator(project({ name: "fraud" }))
  .decorator(triggerOnFinish({ flow: "TrainFlow" }))
  .step("start", () => {}, { next: "end" })
  .step("end", () => {});
`,
);
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

describe("project branches on Step Functions", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("three branches of one flow coexist, chain within their branch, and are deleted independently", async () => {
    const aws = new FakeAws();
    const settings = testSettings(s3Root);
    const flow = {
      name: "ScoringFlow",
      decorators: [{ kind: "project", options: { name: "fraud" } }],
    } as const;
    const branches = [
      resolveBranch(flow, {}, "Alice.Smith")!,
      resolveBranch(flow, { branch: "staging" }, "alice")!,
      resolveBranch(flow, { production: true }, "alice")!,
    ];
    assert.deepEqual(
      branches.map((b) => b.branch),
      ["user.alice-smith", "test.staging", "prod"],
    );
    for (const branch of branches) {
      const result = await deployFile(aws, flowFile, {
        s3Root,
        storage,
        outDir: path.join(dir, "_code"),
        target: deployTarget(settings, "ScoringFlow", undefined, branch),
      });
      assert.deepEqual(result.project, branch);
    }
    assert.deepEqual(
      [...aws.machines.values()].map((m) => m.name),
      ["fraud_user-alice-smith_ScoringFlow", "fraud_test-staging_ScoringFlow", "fraud_prod_ScoringFlow"],
    );
    // Each branch has its own job definition, and its tasks learn their branch.
    const jobs = aws.batch.commandCalls(RegisterJobDefinitionCommand).map((c) => c.args[0].input);
    assert.deepEqual(
      jobs.map((j) => [
        j.jobDefinitionName,
        j.containerProperties!.environment!.find((e) => e.name === "FLOWSHIP_PROJECT_BRANCH")?.value,
      ]),
      [
        ["flowship-fraud_user-alice-smith_ScoringFlow", "user.alice-smith"],
        ["flowship-fraud_test-staging_ScoringFlow", "test.staging"],
        ["flowship-fraud_prod_ScoringFlow", "prod"],
      ],
    );
    // triggerOnFinish({ flow: "TrainFlow" }) listens to TrainFlow of the same branch only.
    const upstream = aws.events
      .commandCalls(PutRuleCommand)
      .map((c) => [c.args[0].input.Name, JSON.parse(c.args[0].input.EventPattern!).detail.stateMachineArn]);
    const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`;
    assert.deepEqual(upstream, [
      ["flowship-fraud_user-alice-smith_ScoringFlow-on-finish", [arn("fraud_user-alice-smith_TrainFlow")]],
      ["flowship-fraud_test-staging_ScoringFlow-on-finish", [arn("fraud_test-staging_TrainFlow")]],
      ["flowship-fraud_prod_ScoringFlow-on-finish", [arn("fraud_prod_TrainFlow")]],
    ]);
    // Deleting the test branch leaves the user's and production's deployments and rules.
    await deleteDeployment({
      clients: aws.clients,
      target: deployTarget(settings, "ScoringFlow", undefined, branches[1]),
      user: "alice",
    });
    assert.deepEqual(
      [...aws.machines.values()].map((m) => m.name),
      ["fraud_user-alice-smith_ScoringFlow", "fraud_prod_ScoringFlow"],
    );
    assert.deepEqual(
      [...aws.rules.keys()],
      ["flowship-fraud_user-alice-smith_ScoringFlow-on-finish", "flowship-fraud_prod_ScoringFlow-on-finish"],
    );
    const report = await validateAgainstModels(recordedRequests(aws));
    assert.deepEqual(report.findings, []);
  });

  test("a project's deployments are named by branch, not --name; a name too long is refused", () => {
    const settings = testSettings(s3Root);
    const prod = { project: "fraud", branch: "prod" };
    assert.throws(
      () => deployTarget(settings, "ScoringFlow", "Other", prod),
      /^UsageError: --name does not apply to flow 'ScoringFlow' of project 'fraud': its deployments are named after the project and branch \(--branch, --production\)\.$/,
    );
    assert.throws(
      () => deployTarget(settings, "S".repeat(70), undefined, prod),
      /^UsageError: Flow 'S+' in branch prod of project 'fraud' would be deployed as 'fraud_prod_S+', longer than Step Functions' 80 characters: use a shorter branch, project or flow name\.$/,
    );
  });
});
