// deployFlow through the real SDK v3 clients against aws-sdk-client-mock (exact requests), with
// the code package uploaded to S3 served by s3rver on loopback. Schedules and triggerOnFinish:
// create-triggers.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { PutRuleCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { DeleteScheduleCommand } from "@aws-sdk/client-scheduler";
import * as sfn from "@aws-sdk/client-sfn";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { tempDir } from "../../../test/helpers/cli.js";
import {
  ACCOUNT,
  deployFile,
  REGION,
  type TestDeployOptions,
} from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { FLOWSHIP_VERSION } from "../../version.js";
import { bootstrapCommand } from "../compile/bootstrap-command.js";
import { readMetadata } from "./deployment-metadata.js";

const dir = tempDir("flowship-deploy-");
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;

function deploy(aws: FakeAws, file: string, extra: Partial<TestDeployOptions> = {}) {
  return deployFile(aws, file, { s3Root, storage, outDir: path.join(dir, "_code"), ...extra });
}

const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

describe("step-functions create (deployFlow)", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("first deploy: code package, job definition, state machine version 1, production alias", async () => {
    // given
    const aws = new FakeAws();
    // when
    const result = await deploy(aws, "examples/parameter_flow.ts");
    // then
    assert.match(result.token, /^parameterflow-0-[a-z]{4}$/);
    assert.equal(result.namespace, `production:${result.token}`);
    assert.equal(result.version, 1);
    assert.ok(await storage.exists(result.codePackage.key));
    assert.deepEqual(
      aws.sfn.calls().map((c) => c.args[0].constructor.name),
      [
        "DescribeStateMachineCommand",
        "CreateStateMachineCommand",
        "CreateStateMachineAliasCommand",
        // pruning old versions (none yet)
        "ListStateMachineVersionsCommand",
      ],
    );
    const [job] = aws.batch.commandCalls(RegisterJobDefinitionCommand);
    const sha = result.codePackage.key.slice("ParameterFlow/code/".length, -".tgz".length);
    assert.deepEqual(job!.args[0].input, {
      jobDefinitionName: "flowship-ParameterFlow",
      type: "container",
      containerProperties: {
        image: "node:22",
        command: bootstrapCommand(),
        resourceRequirements: [
          { type: "VCPU", value: "1" },
          { type: "MEMORY", value: "4096" },
        ],
        environment: [
          { name: "FLOWSHIP_CODE_PACKAGE_URL", value: `${s3Root}/ParameterFlow/code/${sha}.tgz` },
          { name: "FLOWSHIP_CODE_PACKAGE_SHA256", value: sha },
          { name: "FLOWSHIP_DATASTORE_ROOT", value: s3Root },
          { name: "FLOWSHIP_FLOW", value: "ParameterFlow" },
          { name: "AWS_REGION", value: REGION },
          { name: "FLOWSHIP_PRODUCTION_TOKEN", value: result.token },
        ],
        jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-batch-job`,
      },
      retryStrategy: { attempts: 1 },
      propagateTags: true,
      tags: { "flowship:flow": "ParameterFlow", "flowship:version": FLOWSHIP_VERSION },
    });
    const [create] = aws.sfn.commandCalls(sfn.CreateStateMachineCommand);
    const { definition, tags, ...rest } = create!.args[0].input;
    assert.deepEqual(rest, {
      name: "ParameterFlow",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-step-functions`,
      type: "STANDARD",
      publish: true,
      versionDescription: `flowship ${FLOWSHIP_VERSION}, code ${sha.slice(0, 12)}, by alice`,
    });
    assert.deepEqual(JSON.parse(definition!), result.deployment.definition);
    assert.match(definition!, /job-definition\/flowship-ParameterFlow:1"/);
    assert.deepEqual(readMetadata(Object.fromEntries(tags!.map((t) => [t.key!, t.value!]))), {
      flow: "ParameterFlow",
      owner: "alice",
      token: result.token,
      flowshipVersion: FLOWSHIP_VERSION,
      parameters: [{ name: "alpha", type: "number", required: false, default: 0.1 }],
      runTags: [],
    });
    assert.deepEqual(aws.sfn.commandCalls(sfn.CreateStateMachineAliasCommand)[0]!.args[0].input, {
      name: "production",
      description: "flowship production version of ParameterFlow",
      routingConfiguration: [{ stateMachineVersionArn: `${machineArn("ParameterFlow")}:1`, weight: 100 }],
    });
    assert.equal(aws.scheduler.calls().length, 0);
    assert.equal(aws.events.calls().length, 0);
  });

  test("deploying again publishes version 2 and moves the alias; the token stays", async () => {
    // given
    const aws = new FakeAws();
    const first = await deploy(aws, "examples/parameter_flow.ts");
    aws.resetHistory();
    // when
    const second = await deploy(aws, "examples/parameter_flow.ts");
    // then
    assert.equal(second.version, 2);
    assert.equal(second.token, first.token);
    assert.equal(second.newToken, false);
    const update = aws.sfn.commandCalls(sfn.UpdateStateMachineCommand)[0]!.args[0].input;
    assert.equal(update.stateMachineArn, machineArn("ParameterFlow"));
    assert.equal(update.publish, true);
    assert.match(update.definition!, /job-definition\/flowship-ParameterFlow:2"/);
    assert.deepEqual(aws.sfn.commandCalls(sfn.UpdateStateMachineAliasCommand)[0]!.args[0].input, {
      stateMachineAliasArn: `${machineArn("ParameterFlow")}:production`,
      description: "flowship production version of ParameterFlow",
      routingConfiguration: [{ stateMachineVersionArn: `${machineArn("ParameterFlow")}:2`, weight: 100 }],
    });
    assert.equal(aws.sfn.commandCalls(sfn.CreateStateMachineCommand).length, 0);
    // An unscheduled flow deployed again removes any schedule and rule it had.
    assert.deepEqual(aws.scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input, {
      Name: "flowship-ParameterFlow",
    });
    assert.deepEqual(aws.events.commandCalls(RemoveTargetsCommand)[0]!.args[0].input, {
      Rule: "flowship-ParameterFlow-on-finish",
      Ids: ["flowship"],
    });
    assert.equal(second.codePackage.uploaded, false);
  });

  test("another user needs the production token; with it, they become the owner", async () => {
    // given
    const aws = new FakeAws();
    const first = await deploy(aws, "examples/parameter_flow.ts");
    aws.resetHistory();
    // when / then: refused before anything is written
    await assert.rejects(
      deploy(aws, "examples/parameter_flow.ts", { user: "bob" }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    await assert.rejects(
      deploy(aws, "examples/parameter_flow.ts", { user: "bob", authorize: "wrong-token" }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    assert.equal(aws.batch.calls().length, 0);
    assert.equal(aws.sfn.commandCalls(sfn.UpdateStateMachineCommand).length, 0);
    const authorized = await deploy(aws, "examples/parameter_flow.ts", {
      user: "bob",
      authorize: `production:${first.token}`,
    });
    assert.equal(authorized.version, 2);
    assert.equal(readMetadata(aws.machines.get("ParameterFlow")!.tags)!.owner, "bob");
  });

  test("--generate-new-token and --new-token move production to a new namespace", async () => {
    const aws = new FakeAws();
    const first = await deploy(aws, "examples/parameter_flow.ts");
    const generated = await deploy(aws, "examples/parameter_flow.ts", { generateNewToken: true });
    assert.match(generated.token, /^parameterflow-1-[a-z]{4}$/);
    assert.notEqual(generated.token, first.token);
    const given = await deploy(aws, "examples/parameter_flow.ts", { newToken: "production:nightly-2026" });
    assert.equal(given.namespace, "production:nightly-2026");
    const env = aws.batch.commandCalls(RegisterJobDefinitionCommand).at(-1)!.args[0].input
      .containerProperties!.environment!;
    assert.deepEqual(env.at(-1), { name: "FLOWSHIP_PRODUCTION_TOKEN", value: "nightly-2026" });
    await assert.rejects(
      deploy(aws, "examples/parameter_flow.ts", { newToken: "x", generateNewToken: true }),
      hasCode("FS_SFN_TOKEN_FLAGS"),
    );
  });

  test("--name gives an independent deployment with its own job definition", async () => {
    const aws = new FakeAws();
    await deploy(aws, "examples/parameter_flow.ts");
    const staging = await deploy(aws, "examples/parameter_flow.ts", { name: "ParameterFlowStaging" });
    assert.equal(staging.stateMachineArn, machineArn("ParameterFlowStaging"));
    assert.equal(staging.version, 1);
    assert.match(staging.token, /^parameterflowstaging-0-/);
    assert.equal(
      aws.batch.commandCalls(RegisterJobDefinitionCommand)[1]!.args[0].input.jobDefinitionName,
      "flowship-ParameterFlowStaging",
    );
    assert.equal(aws.machines.size, 2);
  });

  test("--tag, --namespace and --with reach the tasks through the job definition", async () => {
    const aws = new FakeAws();
    const { parseDecoratorSpec } = await import("../../flow/decorators.js");
    await deploy(aws, "examples/parameter_flow.ts", {
      tags: ["nightly", "team:ml"],
      namespace: "user:alice",
      withDecorators: [parseDecoratorSpec("retry:times=2")],
    });
    const env = aws.batch.commandCalls(RegisterJobDefinitionCommand)[0]!.args[0].input.containerProperties!
      .environment!;
    assert.deepEqual(env.slice(6), [
      { name: "FLOWSHIP_WITH", value: '["retry:times=2,minutesBetweenRetries=0"]' },
      { name: "FLOWSHIP_RUN_TAGS", value: '["nightly","team:ml"]' },
      { name: "FLOWSHIP_NAMESPACE", value: "user:alice" },
    ]);
    const metadata = readMetadata(aws.machines.get("ParameterFlow")!.tags)!;
    assert.deepEqual([metadata.runTags, metadata.namespace], [["nightly", "team:ml"], "user:alice"]);
  });

  test("a state machine flowship did not deploy is left alone", async () => {
    const aws = new FakeAws();
    aws.seed({ name: "ParameterFlow", owner: "alice", token: "t" }).tags = { team: "other" };
    await assert.rejects(deploy(aws, "examples/parameter_flow.ts"), hasCode("FS_SFN_NOT_FLOWSHIP"));
  });

  test("old versions are pruned to the newest --keep-versions; production's is never deleted", async () => {
    // given
    const aws = new FakeAws();
    const deployed: number[][] = [];
    // when: five deploys keeping three versions
    for (let i = 0; i < 5; i++) {
      deployed.push((await deploy(aws, "examples/parameter_flow.ts", { keepVersions: 3 })).prunedVersions);
    }
    // then
    assert.deepEqual(deployed, [[], [], [], [1], [2]]);
    assert.deepEqual(
      aws.machines.get("ParameterFlow")!.versions,
      [3, 4, 5].map((v) => `${machineArn("ParameterFlow")}:${v}`),
    );
    assert.equal(aws.machines.get("ParameterFlow")!.alias, `${machineArn("ParameterFlow")}:5`);
  });

  test("a deploy whose pruning is refused still succeeds, and says so", async () => {
    // given: deleting versions is not allowed
    const aws = new FakeAws();
    aws.sfn.on(sfn.DeleteStateMachineVersionCommand).rejects(
      new sfn.ValidationException({
        message: "not authorized to perform: states:DeleteStateMachineVersion",
        $metadata: {},
      }),
    );
    await deploy(aws, "examples/parameter_flow.ts", { keepVersions: 1 });
    // when
    const second = await deploy(aws, "examples/parameter_flow.ts", { keepVersions: 1 });
    // then: version 2 is production, version 1 is still there, and the warning names the permission
    assert.equal(aws.machines.get("ParameterFlow")!.alias, `${machineArn("ParameterFlow")}:2`);
    assert.deepEqual(second.prunedVersions, []);
    assert.equal(second.warnings.length, 1);
    assert.match(second.warnings[0]!, /^old versions were not deleted: .*states:DeleteStateMachineVersion/);
  });

  test("a refused trigger leaves production on the version it was on", async () => {
    // given: version 1 in production, and EventBridge refusing the rule of the next deploy
    const aws = new FakeAws();
    await deploy(aws, "examples/parameter_flow.ts");
    const triggered = path.join(dir, "triggered.ts");
    fs.writeFileSync(
      triggered,
      `import { flow, triggerOnFinish } from "flowship";\nexport default flow("ParameterFlow").decorator(triggerOnFinish({ flow: "Upstream" })).step("start", () => {}, { next: "end" }).step("end", () => {});\n`,
    );
    aws.events
      .on(PutRuleCommand)
      .rejects(new Error("AccessDeniedException: not authorized to perform: events:PutRule"));
    // when
    await assert.rejects(deploy(aws, triggered), /events:PutRule/);
    // then: the alias still routes to version 1
    assert.equal(aws.machines.get("ParameterFlow")!.alias, `${machineArn("ParameterFlow")}:1`);
  });
});
