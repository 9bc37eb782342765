// Every request the deploy lifecycle sends — create, trigger, list-runs, create twice more (pruning
// the oldest version), rollback, terminate, resume (redrive), delete — for every example, a
// scheduled flow in a time zone and a triggerOnFinish flow, sent to moto (test/helpers/moto.ts)
// and checked against AWS's own API models (botocore): zero findings, also with names, users and
// upstream lists at their longest.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { type JobDefinitionType, RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateStateMachineAliasCommand, ListStateMachinesCommand } from "@aws-sdk/client-sfn";
import { deleteDeployment } from "../../src/aws/deploy/delete.js";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { listRuns } from "../../src/aws/deploy/list-runs.js";
import { redriveRun } from "../../src/aws/deploy/redrive.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import { rollbackDeployment } from "../../src/aws/deploy/rollback.js";
import { terminateRun } from "../../src/aws/deploy/terminate.js";
import { triggerFlow } from "../../src/aws/deploy/trigger.js";
import type { Storage } from "../../src/datastore/storage.js";
import { tempDir } from "../helpers/cli.js";
import { deployFile, testSettings } from "../helpers/deploy-fixtures.js";
import { callName, type Moto, type MotoRequest, startMoto } from "../helpers/moto.js";
import {
  motoDeployClients,
  motoStorage,
  prepareAccount,
  S3_ROOT,
  sdkClients,
} from "../helpers/moto-account.js";

const dir = tempDir("flowship-models-");
const outDir = path.join(dir, "_code");
const s3Root = S3_ROOT;
let moto: Moto;
let clients: DeployClients;
let storage: Storage;

function flowFile(name: string, source: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(
    file,
    `import { flow, schedule, triggerOnFinish } from "flowship";\nexport default ${source};\n`,
  );
  return file;
}

/**
 * The whole lifecycle of one deployment, as the CLI drives it. Lifecycles run side by side in the
 * one moto; the test checks every request moto was sent.
 */
async function lifecycle(file: string, options: { name?: string; user?: string } = {}) {
  const user = options.user ?? "alice";
  const deploy = () =>
    deployFile({ clients }, file, {
      s3Root,
      storage,
      outDir,
      user,
      // Keeping two versions makes the third deploy delete the first.
      keepVersions: 2,
      ...(options.name ? { name: options.name } : {}),
    });
  const first = await deploy();
  const target = deployTarget(testSettings(s3Root), first.flow.name, options.name);
  const run = await triggerFlow({ sfn: clients.sfn, target, input: '{"Parameters":"{}"}' });
  await listRuns({ sfn: clients.sfn, target, statuses: ["RUNNING", "FAILED"] });
  await deploy();
  await deploy();
  await rollbackDeployment({ clients, target, user });
  // A terminated (ABORTED) run is one Step Functions redrives, as a failed one.
  await terminateRun({ sfn: clients.sfn, target, runId: run.runId, user });
  await redriveRun({ sfn: clients.sfn, target, runId: run.runId, user });
  await deleteDeployment({ clients, target, user });
}

/** Every request since `from` is valid by botocore's models; all but S3's (REST-XML) are checked. */
async function assertValid(from: number): Promise<MotoRequest[]> {
  const requests = moto.requests.slice(from);
  const report = await moto.validate(requests);
  assert.deepEqual(report.findings, []);
  assert.equal(report.checked, requests.filter((r) => r.service !== "s3").length);
  assert.ok(report.checked > 0);
  return requests;
}

describe("deploy requests checked against AWS's API models", () => {
  before(async () => {
    moto = await startMoto();
    await prepareAccount(moto);
    clients = motoDeployClients(moto);
    storage = await motoStorage(moto, s3Root);
  });
  after(() => moto?.close());

  test("the checker finds what AWS would refuse", async () => {
    // given: SDK clients through the recording proxy
    const aws = sdkClients(moto, moto.endpoint);
    const from = moto.requests.length;
    // when: three requests AWS's models refuse (whatever moto answers them)
    const refused = () => {};
    await aws.sfn
      .send(new CreateStateMachineAliasCommand({ name: "production", routingConfiguration: [] }))
      .catch(refused);
    await aws.events.send(new PutRuleCommand({ Name: "r", Description: "d".repeat(513) })).catch(refused);
    await aws.batch
      .send(new RegisterJobDefinitionCommand({ jobDefinitionName: "j", type: "cloud" as JobDefinitionType }))
      .catch(refused);
    // then
    const report = await moto.validate(moto.requests.slice(from));
    assert.equal(report.checked, 3);
    assert.equal(report.findings.length, 3, report.findings.join("\n"));
    assert.match(report.findings[0]!, /^stepfunctions:CreateStateMachineAlias.*routingConfiguration/);
    assert.match(report.findings[1]!, /^events:PutRule.*Description: 513 characters/);
    assert.match(report.findings[2]!, /^batch:RegisterJobDefinition.*type: 'cloud' is not one of/);
  });

  test("the whole lifecycle of every example, a scheduled flow and a triggered flow", async () => {
    const files = [
      ...fs.readdirSync("examples").map((f) => path.join("examples", f)),
      flowFile(
        "zoned",
        `flow("ZonedFlow").decorator(schedule({ cron: "30 7 ? * MON-FRI *", timezone: "Europe/Berlin" })).step("start", () => {}, { next: "end" }).step("end", () => {})`,
      ),
      flowFile(
        "downstream",
        `flow("DownstreamFlow").decorator(triggerOnFinish({ flow: "ParameterFlow" })).decorator(triggerOnFinish({ flow: "ForeachFlow" })).step("start", () => {}, { next: "end" }).step("end", () => {})`,
      ),
    ];
    const from = moto.requests.length;
    await Promise.all(files.map((file) => lifecycle(file)));
    const requests = await assertValid(from);
    // REST operations are named by method and path.
    const operations = new Set(requests.map((r) => callName(r).replace(/ \/schedules\/.*$/, " /schedules/")));
    for (const expected of [
      "states:CreateStateMachine",
      "states:UpdateStateMachine",
      "states:UpdateStateMachineAlias",
      "states:StartExecution",
      "states:StopExecution",
      "states:RedriveExecution",
      "states:DeleteStateMachine",
      "states:DeleteStateMachineVersion",
      "batch:POST /v1/registerjobdefinition",
      "scheduler:POST /schedules/",
      "events:PutRule",
      "events:PutTargets",
    ]) {
      assert.ok(operations.has(expected), `${expected} was not exercised`);
    }
    // and: every lifecycle ended with its deployment deleted
    const { stateMachines } = await sdkClients(moto).sfn.send(new ListStateMachinesCommand({}));
    assert.deepEqual(stateMachines, []);
  });

  test("names, a user and upstream flows at their longest", async () => {
    // Flow names are at most 64 characters, state machine names (--name) 80.
    const longFlow = `F${"x".repeat(63)}`;
    const upstream = Array.from({ length: 10 }, (_, i) => `Upstream${i}${"u".repeat(55)}`);
    const file = flowFile(
      "long",
      `flow(${JSON.stringify(longFlow)}).decorator(schedule({ hourly: true }))${upstream.map((f) => `.decorator(triggerOnFinish({ flow: ${JSON.stringify(f)} }))`).join("")}.step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    // A user name fills a whole tag value (256 characters); the rollback's alias description
    // and the rule's description that carry it and the upstream flows are cut to fit.
    const from = moto.requests.length;
    await lifecycle(file, { name: `S${"n".repeat(79)}`, user: "u".repeat(256) });
    await assertValid(from);
  });

  test("a user name no tag can hold is refused before anything is uploaded or registered", async () => {
    // given
    const before = (await storage.list("ParameterFlow/code")).length;
    const from = moto.requests.length;
    // when / then
    await assert.rejects(
      deployFile({ clients }, "examples/parameter_flow.ts", {
        s3Root,
        storage,
        outDir,
        user: "u".repeat(257),
      }),
      (error: Error & { code?: string }) => error.code === "FS_SFN_METADATA_TOO_LARGE",
    );
    assert.deepEqual(moto.requests.slice(from).map(callName), ["states:DescribeStateMachine"]);
    assert.equal((await storage.list("ParameterFlow/code")).length, before);
  });
});
