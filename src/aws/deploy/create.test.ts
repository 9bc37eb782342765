// deployFlow against moto (test/helpers/moto.ts): the real SDK clients through a recording proxy,
// the code package in moto's S3, and what AWS then holds read back from moto; the requests
// themselves where the test is about what was sent. Schedules and triggerOnFinish:
// create-triggers.test.ts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { DescribeJobDefinitionsCommand } from "@aws-sdk/client-batch";
import {
  DescribeStateMachineAliasCommand,
  DescribeStateMachineCommand,
  ListStateMachinesCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-sfn";
import { tempDir } from "../../../test/helpers/cli.js";
import {
  ACCOUNT,
  deployFile,
  REGION,
  type TestDeployOptions,
  testSettings,
} from "../../../test/helpers/deploy-fixtures.js";
import { calls, type Moto, startMoto } from "../../../test/helpers/moto.js";
import { fargateQueue } from "../../../test/helpers/moto-batch-queue.js";
import {
  motoBucketStorage,
  motoDeployClients,
  motoDirect,
  operations,
  resetMoto,
  seedDeployment,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import type { Storage } from "../../datastore/storage.js";
import { FLOWSHIP_VERSION } from "../../version.js";
import { bootstrapCommand } from "../compile/bootstrap-command.js";
import type { DeployClients } from "./deployment.js";
import { readMetadata } from "./deployment-metadata.js";

const BUCKET = "flowship-create-test";
const dir = tempDir("flowship-deploy-");
let moto: Moto;
let aws: { clients: DeployClients };
let direct: ReturnType<typeof motoDirect>;
let storage: Storage;
let s3Root: string;
/** Where this test's requests start in moto.requests. */
let mark = 0;

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;

function deploy(file: string, extra: Partial<TestDeployOptions> = {}) {
  return deployFile(aws, file, { s3Root, storage, outDir: path.join(dir, "_code"), ...extra });
}

const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

/** The deployment's metadata as its tags in moto say. */
async function metadataOf(name: string) {
  const { tags } = await direct.sfn.send(new ListTagsForResourceCommand({ resourceArn: machineArn(name) }));
  return readMetadata(Object.fromEntries((tags ?? []).map((t) => [t.key!, t.value!])));
}

async function productionVersion(name: string): Promise<string | undefined> {
  const alias = await direct.sfn.send(
    new DescribeStateMachineAliasCommand({ stateMachineAliasArn: `${machineArn(name)}:production` }),
  );
  return alias.routingConfiguration?.[0]?.stateMachineVersionArn;
}

async function versions(name: string): Promise<string[]> {
  const listed = await direct.sfn.send(
    new ListStateMachineVersionsCommand({ stateMachineArn: machineArn(name) }),
  );
  return (listed.stateMachineVersions ?? []).map((v) => v.stateMachineVersionArn!);
}

describe("step-functions create (deployFlow)", () => {
  before(async () => {
    moto = await startMoto();
    aws = { clients: motoDeployClients(moto) };
    direct = motoDirect(moto);
    ({ storage, s3Root } = await motoBucketStorage(moto, BUCKET));
  });
  after(() => moto?.close());
  beforeEach(async () => {
    await resetMoto(moto, BUCKET);
    mark = moto.requests.length;
  });

  test("a queue that could never start a step's job is refused before anything is written", async () => {
    // given: BatchStepFlow's heavy step asks for 2 vCPUs; one queue runs 1 at most, one is DISABLED
    await fargateQueue(moto, "one-vcpu", { maxvCpus: 1 });
    await fargateQueue(moto, "switched-off", { disabled: true });
    const onQueue = (jobQueue: string) => ({ settings: { ...testSettings(s3Root), jobQueue } });
    const from = moto.requests.length;
    // when / then
    await assert.rejects(deploy("test/fixtures/flows/batch_step.ts", onQueue("one-vcpu")), {
      code: "FS_SFN_QUEUE_CAPACITY",
      message:
        /^Job queue 'one-vcpu' cannot start a step of flow 'BatchStepFlow' as deployed: 'heavy' asks 2 vCPUs, but its compute environments run at most 1 vCPUs/,
    });
    await assert.rejects(deploy("test/fixtures/flows/batch_step.ts", onQueue("switched-off")), {
      code: "FS_SFN_QUEUE_CAPACITY",
      message: /^Job queue 'switched-off' cannot start the jobs of flow 'BatchStepFlow': .* all DISABLED/,
    });
    assert.deepEqual(
      operations(moto)
        .slice(from)
        .filter((r) => !/describe|list|get/i.test(r)),
      [],
    );
    // and: a queue with room deploys (and one AWS has no record of is left to `aws doctor`)
    await fargateQueue(moto, "roomy", { maxvCpus: 2 });
    assert.equal((await deploy("test/fixtures/flows/batch_step.ts", onQueue("roomy"))).version, 1);
  });

  test("first deploy: code package, job definition, state machine version 1, production alias", async () => {
    // when
    const result = await deploy("examples/parameter_flow.ts");
    // then
    assert.match(result.token, /^parameterflow-0-[a-z]{4}$/);
    assert.equal(result.namespace, `production:${result.token}`);
    assert.equal(result.version, 1);
    assert.ok(await storage.exists(result.codePackage.key));
    const requests = operations(moto, { from: mark });
    assert.deepEqual(
      requests.filter((r) => r.startsWith("states:")),
      [
        "states:DescribeStateMachine",
        "states:CreateStateMachine",
        "states:CreateStateMachineAlias",
        // pruning old versions (none yet)
        "states:ListStateMachineVersions",
      ],
    );
    // Nothing to remove on a first deploy: no schedule or rule is looked at.
    assert.deepEqual(
      requests.filter((r) => r.startsWith("scheduler:") || r.startsWith("events:")),
      [],
    );
    const sha = result.codePackage.key.slice("ParameterFlow/code/".length, -".tgz".length);
    const environment = [
      { name: "FLOWSHIP_CODE_PACKAGE_URL", value: `${s3Root}/ParameterFlow/code/${sha}.tgz` },
      { name: "FLOWSHIP_CODE_PACKAGE_SHA256", value: sha },
      { name: "FLOWSHIP_DATASTORE_ROOT", value: s3Root },
      { name: "FLOWSHIP_FLOW", value: "ParameterFlow" },
      { name: "AWS_REGION", value: REGION },
      { name: "FLOWSHIP_PRODUCTION_TOKEN", value: result.token },
    ];
    // The exact RegisterJobDefinition sent …
    assert.deepEqual(sent(moto, "batch:RegisterJobDefinition", mark), [
      {
        jobDefinitionName: "flowship-ParameterFlow",
        type: "container",
        containerProperties: {
          image: "node:22",
          command: bootstrapCommand(),
          resourceRequirements: [
            { type: "VCPU", value: "1" },
            { type: "MEMORY", value: "4096" },
          ],
          environment,
          jobRoleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-batch-job`,
        },
        retryStrategy: { attempts: 1 },
        propagateTags: true,
        tags: { "flowship:flow": "ParameterFlow", "flowship:version": FLOWSHIP_VERSION },
      },
    ]);
    // … and the revision Batch now has.
    const { jobDefinitions } = await direct.batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: "flowship-ParameterFlow" }),
    );
    assert.deepEqual(
      jobDefinitions?.map((j) => [j.revision, j.status, j.containerProperties?.environment, j.tags]),
      [
        [
          1,
          "ACTIVE",
          environment,
          { "flowship:flow": "ParameterFlow", "flowship:version": FLOWSHIP_VERSION },
        ],
      ],
    );
    const [create] = sent(moto, "states:CreateStateMachine", mark);
    const { definition, tags: _tags, ...rest } = create;
    assert.deepEqual(rest, {
      name: "ParameterFlow",
      roleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-step-functions`,
      type: "STANDARD",
      publish: true,
      versionDescription: `flowship ${FLOWSHIP_VERSION}, code ${sha.slice(0, 12)}, by alice`,
    });
    assert.deepEqual(JSON.parse(definition), result.deployment.definition);
    const machine = await direct.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machineArn("ParameterFlow") }),
    );
    assert.deepEqual(JSON.parse(machine.definition!), result.deployment.definition);
    assert.match(machine.definition!, /job-definition\/flowship-ParameterFlow:1"/);
    assert.equal(machine.type, "STANDARD");
    assert.deepEqual(await metadataOf("ParameterFlow"), {
      flow: "ParameterFlow",
      owner: "alice",
      token: result.token,
      flowshipVersion: FLOWSHIP_VERSION,
      parameters: [{ name: "alpha", type: "number", required: false, default: 0.1 }],
      runTags: [],
    });
    assert.deepEqual(await versions("ParameterFlow"), [`${machineArn("ParameterFlow")}:1`]);
    const alias = await direct.sfn.send(
      new DescribeStateMachineAliasCommand({
        stateMachineAliasArn: `${machineArn("ParameterFlow")}:production`,
      }),
    );
    assert.deepEqual(
      [alias.name, alias.description, alias.routingConfiguration],
      [
        "production",
        "flowship production version of ParameterFlow",
        [{ stateMachineVersionArn: `${machineArn("ParameterFlow")}:1`, weight: 100 }],
      ],
    );
  });

  test("deploying again publishes version 2 and moves the alias; the token stays", async () => {
    // given
    const first = await deploy("examples/parameter_flow.ts");
    const again = moto.requests.length;
    // when
    const second = await deploy("examples/parameter_flow.ts");
    // then
    assert.equal(second.version, 2);
    assert.equal(second.token, first.token);
    assert.equal(second.newToken, false);
    const [update] = sent(moto, "states:UpdateStateMachine", again);
    assert.equal(update.stateMachineArn, machineArn("ParameterFlow"));
    assert.equal(update.publish, true);
    assert.match(update.definition, /job-definition\/flowship-ParameterFlow:2"/);
    assert.deepEqual(sent(moto, "states:UpdateStateMachineAlias", again), [
      {
        stateMachineAliasArn: `${machineArn("ParameterFlow")}:production`,
        description: "flowship production version of ParameterFlow",
        routingConfiguration: [{ stateMachineVersionArn: `${machineArn("ParameterFlow")}:2`, weight: 100 }],
      },
    ]);
    assert.deepEqual(sent(moto, "states:CreateStateMachine", again), []);
    assert.equal(await productionVersion("ParameterFlow"), `${machineArn("ParameterFlow")}:2`);
    const machine = await direct.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machineArn("ParameterFlow") }),
    );
    assert.match(machine.definition!, /job-definition\/flowship-ParameterFlow:2"/);
    // An unscheduled flow deployed again removes any schedule and rule it had (here: none, so
    // Scheduler and EventBridge answer "not found", which is no error).
    const deleteSchedule = moto.requests
      .slice(again)
      .filter((r) => r.service === "scheduler" && r.method === "DELETE");
    assert.deepEqual(
      deleteSchedule.map((r) => [r.url.split("?")[0], r.status]),
      [["/schedules/flowship-ParameterFlow", 404]],
    );
    assert.deepEqual(sent(moto, "events:RemoveTargets", again)[0], {
      Rule: "flowship-ParameterFlow-on-finish",
      Ids: ["flowship"],
    });
    assert.equal(second.codePackage.uploaded, false);
  });

  test("another user needs the production token; with it, they become the owner", async () => {
    // given
    const first = await deploy("examples/parameter_flow.ts");
    const refused = moto.requests.length;
    // when / then: refused before anything is written
    await assert.rejects(
      deploy("examples/parameter_flow.ts", { user: "bob" }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    await assert.rejects(
      deploy("examples/parameter_flow.ts", { user: "bob", authorize: "wrong-token" }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    assert.deepEqual(
      [...new Set(operations(moto, { s3: true, from: refused }))],
      ["states:DescribeStateMachine", "states:ListTagsForResource"],
    );
    assert.deepEqual(await versions("ParameterFlow"), [`${machineArn("ParameterFlow")}:1`]);
    const authorized = await deploy("examples/parameter_flow.ts", {
      user: "bob",
      authorize: `production:${first.token}`,
    });
    assert.equal(authorized.version, 2);
    assert.equal((await metadataOf("ParameterFlow"))!.owner, "bob");
  });

  test("--generate-new-token and --new-token move production to a new namespace", async () => {
    const first = await deploy("examples/parameter_flow.ts");
    const generated = await deploy("examples/parameter_flow.ts", { generateNewToken: true });
    assert.match(generated.token, /^parameterflow-1-[a-z]{4}$/);
    assert.notEqual(generated.token, first.token);
    assert.equal((await metadataOf("ParameterFlow"))!.token, generated.token);
    const given = await deploy("examples/parameter_flow.ts", { newToken: "production:nightly-2026" });
    assert.equal(given.namespace, "production:nightly-2026");
    const { jobDefinitions } = await direct.batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: "flowship-ParameterFlow" }),
    );
    const latest = jobDefinitions!.find((j) => j.revision === 3)!;
    assert.deepEqual(latest.containerProperties!.environment!.at(-1), {
      name: "FLOWSHIP_PRODUCTION_TOKEN",
      value: "nightly-2026",
    });
    assert.equal((await metadataOf("ParameterFlow"))!.token, "nightly-2026");
    await assert.rejects(
      deploy("examples/parameter_flow.ts", { newToken: "x", generateNewToken: true }),
      hasCode("FS_SFN_TOKEN_FLAGS"),
    );
  });

  test("--name gives an independent deployment with its own job definition", async () => {
    await deploy("examples/parameter_flow.ts");
    const staging = await deploy("examples/parameter_flow.ts", { name: "ParameterFlowStaging" });
    assert.equal(staging.stateMachineArn, machineArn("ParameterFlowStaging"));
    assert.equal(staging.version, 1);
    assert.match(staging.token, /^parameterflowstaging-0-/);
    const { stateMachines } = await direct.sfn.send(new ListStateMachinesCommand({}));
    assert.deepEqual(stateMachines?.map((m) => m.name).sort(), ["ParameterFlow", "ParameterFlowStaging"]);
    const { jobDefinitions } = await direct.batch.send(new DescribeJobDefinitionsCommand({}));
    assert.deepEqual(jobDefinitions?.map((j) => `${j.jobDefinitionName}:${j.revision}`).sort(), [
      "flowship-ParameterFlow:1",
      "flowship-ParameterFlowStaging:1",
    ]);
    const machine = await direct.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: machineArn("ParameterFlowStaging") }),
    );
    assert.match(machine.definition!, /job-definition\/flowship-ParameterFlowStaging:1"/);
  });

  test("--tag, --namespace and --with reach the tasks through the job definition", async () => {
    const { parseDecoratorSpec } = await import("../../flow/decorators.js");
    await deploy("examples/parameter_flow.ts", {
      tags: ["nightly", "team:ml"],
      namespace: "user:alice",
      withDecorators: [parseDecoratorSpec("retry:times=2")],
    });
    const { jobDefinitions } = await direct.batch.send(
      new DescribeJobDefinitionsCommand({ jobDefinitionName: "flowship-ParameterFlow" }),
    );
    assert.deepEqual(jobDefinitions![0]!.containerProperties!.environment!.slice(6), [
      { name: "FLOWSHIP_WITH", value: '["retry:times=2,minutesBetweenRetries=0"]' },
      { name: "FLOWSHIP_RUN_TAGS", value: '["nightly","team:ml"]' },
      { name: "FLOWSHIP_NAMESPACE", value: "user:alice" },
    ]);
    const metadata = (await metadataOf("ParameterFlow"))!;
    assert.deepEqual([metadata.runTags, metadata.namespace], [["nightly", "team:ml"], "user:alice"]);
  });

  test("a state machine flowship did not deploy is left alone", async () => {
    await seedDeployment(moto, {
      name: "ParameterFlow",
      owner: "alice",
      token: "t",
      tags: { team: "other" },
    });
    const before = moto.requests.length;
    await assert.rejects(deploy("examples/parameter_flow.ts"), hasCode("FS_SFN_NOT_FLOWSHIP"));
    assert.deepEqual(operations(moto, { s3: true, from: before }), [
      "states:DescribeStateMachine",
      "states:ListTagsForResource",
    ]);
    assert.deepEqual(await versions("ParameterFlow"), [`${machineArn("ParameterFlow")}:1`]);
  });

  test("old versions are pruned to the newest --keep-versions; production's is never deleted", async () => {
    // given
    const deployed: number[][] = [];
    // when: five deploys keeping three versions
    for (let i = 0; i < 5; i++) {
      deployed.push((await deploy("examples/parameter_flow.ts", { keepVersions: 3 })).prunedVersions);
    }
    // then
    assert.deepEqual(deployed, [[], [], [], [1], [2]]);
    assert.deepEqual(
      await versions("ParameterFlow"),
      [5, 4, 3].map((v) => `${machineArn("ParameterFlow")}:${v}`),
    );
    assert.equal(await productionVersion("ParameterFlow"), `${machineArn("ParameterFlow")}:5`);
  });

  test("a deploy whose pruning is refused still succeeds, and says so", async () => {
    // given: deleting versions is not allowed
    moto.inject({
      match: calls("states:DeleteStateMachineVersion"),
      code: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: states:DeleteStateMachineVersion on resource: ${machineArn("ParameterFlow")}:1`,
      times: 1,
    });
    await deploy("examples/parameter_flow.ts", { keepVersions: 1 });
    // when
    const second = await deploy("examples/parameter_flow.ts", { keepVersions: 1 });
    // then: version 2 is production, version 1 is still there, and the warning names the permission
    assert.equal(await productionVersion("ParameterFlow"), `${machineArn("ParameterFlow")}:2`);
    assert.deepEqual(
      await versions("ParameterFlow"),
      [2, 1].map((v) => `${machineArn("ParameterFlow")}:${v}`),
    );
    assert.deepEqual(second.prunedVersions, []);
    assert.equal(second.warnings.length, 1);
    assert.match(second.warnings[0]!, /^old versions were not deleted: .*states:DeleteStateMachineVersion/);
  });

  test("a refused trigger leaves production on the version it was on", async () => {
    // given: version 1 in production, and EventBridge refusing the rule of the next deploy
    await deploy("examples/parameter_flow.ts");
    const triggered = path.join(dir, "triggered.ts");
    fs.writeFileSync(
      triggered,
      `import { flow, triggerOnFinish } from "flowship";\nexport default flow("ParameterFlow").decorator(triggerOnFinish({ flow: "Upstream" })).step("start", () => {}, { next: "end" }).step("end", () => {});\n`,
    );
    moto.inject({
      match: calls("events:PutRule"),
      code: "AccessDeniedException",
      message: `User: arn:aws:iam::${ACCOUNT}:user/alice is not authorized to perform: events:PutRule on resource: arn:aws:events:${REGION}:${ACCOUNT}:rule/flowship-ParameterFlow-on-finish`,
      times: 1,
    });
    // when
    await assert.rejects(deploy(triggered), /events:PutRule/);
    // then: version 2 was published, but the alias still routes to version 1
    assert.deepEqual(
      await versions("ParameterFlow"),
      [2, 1].map((v) => `${machineArn("ParameterFlow")}:${v}`),
    );
    assert.equal(await productionVersion("ParameterFlow"), `${machineArn("ParameterFlow")}:1`);
  });

  test("every request sent is valid by AWS's API models", async () => {
    const report = await moto.validate();
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  });
});
