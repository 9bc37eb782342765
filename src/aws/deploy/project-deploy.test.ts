// A flow with project(): each branch — the deployer's own, a test branch, production — is its own
// deployment (state machine, job definition, rules) named after project and branch, its tasks learn
// their branch, triggerOnFinish stays within the branch, and deleting one leaves the others.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeJobDefinitionsCommand } from "@aws-sdk/client-batch";
import { ListRulesCommand } from "@aws-sdk/client-eventbridge";
import { ListStateMachinesCommand } from "@aws-sdk/client-sfn";
import { tempDir } from "../../../test/helpers/cli.js";
import { deployFile, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../../../test/helpers/moto.js";
import { motoBucketStorage, motoDeployClients, motoDirect } from "../../../test/helpers/moto-deploy.js";
import type { Storage } from "../../datastore/storage.js";
import { resolveBranch } from "../../flow/project.js";
import { deleteDeployment } from "./delete.js";
import type { DeployClients } from "./deployment.js";
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
let moto: Moto;
let aws: { clients: DeployClients };
let direct: ReturnType<typeof motoDirect>;
let storage: Storage;
let s3Root: string;

/** State machines and flowship's rules, sorted, as Step Functions and EventBridge list them. */
async function deployed() {
  const [{ stateMachines }, { Rules }] = await Promise.all([
    direct.sfn.send(new ListStateMachinesCommand({})),
    direct.events.send(new ListRulesCommand({ NamePrefix: "flowship-" })),
  ]);
  return {
    machines: (stateMachines ?? []).map((m) => m.name!).sort(),
    rules: (Rules ?? []).map((r) => [r.Name!, JSON.parse(r.EventPattern!).detail.stateMachineArn]).sort(),
  };
}

describe("project branches on Step Functions", () => {
  before(async () => {
    moto = await startMoto();
    aws = { clients: motoDeployClients(moto) };
    direct = motoDirect(moto);
    ({ storage, s3Root } = await motoBucketStorage(moto, "flowship-project-deploy-test"));
  });
  after(() => moto?.close());

  test("three branches of one flow coexist, chain within their branch, and are deleted independently", async () => {
    const settings = testSettings(s3Root);
    const flow = {
      name: "ScoringFlow",
      decorators: [{ kind: "project", options: { name: "fraud" } }],
    } as const;
    const branches = [
      resolveBranch(flow, {}, "alice-smith")!,
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
    const arn = (name: string) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`;
    // triggerOnFinish({ flow: "TrainFlow" }) listens to TrainFlow of the same branch only.
    assert.deepEqual(await deployed(), {
      machines: [
        "fraud_prod_ScoringFlow",
        "fraud_test-staging_ScoringFlow",
        "fraud_user-alice-smith_ScoringFlow",
      ],
      rules: [
        ["flowship-fraud_prod_ScoringFlow-on-finish", [arn("fraud_prod_TrainFlow")]],
        ["flowship-fraud_test-staging_ScoringFlow-on-finish", [arn("fraud_test-staging_TrainFlow")]],
        ["flowship-fraud_user-alice-smith_ScoringFlow-on-finish", [arn("fraud_user-alice-smith_TrainFlow")]],
      ],
    });
    // Each branch has its own job definition, and its tasks learn their branch.
    const { jobDefinitions } = await direct.batch.send(new DescribeJobDefinitionsCommand({}));
    assert.deepEqual(
      jobDefinitions
        ?.map((j) => [
          `${j.jobDefinitionName}:${j.revision}`,
          j.containerProperties!.environment!.find((e) => e.name === "FLOWSHIP_PROJECT_BRANCH")?.value,
        ])
        .sort(),
      [
        ["flowship-fraud_prod_ScoringFlow:1", "prod"],
        ["flowship-fraud_test-staging_ScoringFlow:1", "test.staging"],
        ["flowship-fraud_user-alice-smith_ScoringFlow:1", "user.alice-smith"],
      ],
    );
    // Deleting the test branch leaves the user's and production's deployments and rules.
    await deleteDeployment({
      clients: aws.clients,
      target: deployTarget(settings, "ScoringFlow", undefined, branches[1]),
      user: "alice",
    });
    assert.deepEqual(await deployed(), {
      machines: ["fraud_prod_ScoringFlow", "fraud_user-alice-smith_ScoringFlow"],
      rules: [
        ["flowship-fraud_prod_ScoringFlow-on-finish", [arn("fraud_prod_TrainFlow")]],
        ["flowship-fraud_user-alice-smith_ScoringFlow-on-finish", [arn("fraud_user-alice-smith_TrainFlow")]],
      ],
    });
    const report = await moto.validate();
    assert.ok(report.checked > 0);
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
