// Every request the deploy lifecycle sends — create, trigger, list-runs, create twice more (pruning
// the oldest version), rollback, terminate, resume (redrive), delete — for every example, a
// scheduled flow in a time zone and a triggerOnFinish flow, checked against AWS's own API models
// (botocore): zero findings, also with names, users and upstream lists at their longest.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { deleteDeployment } from "../../src/aws/deploy/delete.js";
import { listRuns } from "../../src/aws/deploy/list-runs.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import { resumeRun } from "../../src/aws/deploy/resume.js";
import { rollbackDeployment } from "../../src/aws/deploy/rollback.js";
import { terminateRun } from "../../src/aws/deploy/terminate.js";
import { triggerFlow } from "../../src/aws/deploy/trigger.js";
import { openStorage } from "../../src/datastore/open-storage.js";
import type { Storage } from "../../src/datastore/storage.js";
import { FakeAws } from "../helpers/aws-mocks.js";
import { recordedRequests, validateAgainstModels } from "../helpers/aws-models.js";
import { tempDir } from "../helpers/cli.js";
import { deployFile, testSettings } from "../helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const dir = tempDir("flowship-models-");
const outDir = path.join(dir, "_code");
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

function flowFile(name: string, source: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(
    file,
    `import { flow, schedule, triggerOnFinish } from "flowship";\nexport default ${source};\n`,
  );
  return file;
}

/** The whole lifecycle of one deployment, as the CLI drives it; returns what AWS was sent. */
async function lifecycle(file: string, options: { name?: string; user?: string } = {}) {
  const aws = new FakeAws();
  const user = options.user ?? "alice";
  const deploy = () =>
    deployFile(aws, file, {
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
  const run = await triggerFlow({ sfn: aws.clients.sfn, target, input: '{"Parameters":"{}"}' });
  await listRuns({ sfn: aws.clients.sfn, target, statuses: ["RUNNING", "FAILED"] });
  await deploy();
  await deploy();
  await rollbackDeployment({ clients: aws.clients, target, user });
  await terminateRun({ sfn: aws.clients.sfn, target, runId: run.runId, user });
  const failed = await triggerFlow({ sfn: aws.clients.sfn, target, input: '{"Parameters":"{}"}' });
  aws.finish(failed.executionArn, "FAILED");
  await resumeRun({ sfn: aws.clients.sfn, target, runId: failed.runId, user });
  await deleteDeployment({ clients: aws.clients, target, user });
  return recordedRequests(aws);
}

async function assertValid(requests: Awaited<ReturnType<typeof lifecycle>>) {
  const report = await validateAgainstModels(requests);
  assert.deepEqual(report.findings, []);
  assert.equal(report.checked, requests.length);
  return report;
}

describe("deploy requests checked against AWS's API models", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("the checker finds what AWS would refuse", async () => {
    const report = await validateAgainstModels([
      {
        service: "sfn",
        operation: "CreateStateMachineAlias",
        input: { name: "production", routingConfiguration: [] },
      },
      { service: "events", operation: "PutRule", input: { Name: "r", Description: "d".repeat(513) } },
      {
        service: "batch",
        operation: "RegisterJobDefinition",
        input: { jobDefinitionName: "j", type: "cloud" },
      },
    ]);
    assert.deepEqual(report.findings, [
      "sfn:CreateStateMachineAlias: Invalid length for parameter routingConfiguration, value: 0, valid min length: 1",
      "events:PutRule.Description: 513 characters, at most 512 allowed",
      "batch:RegisterJobDefinition.type: 'cloud' is not one of ['container', 'multinode']",
    ]);
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
    const requests = (await Promise.all(files.map((file) => lifecycle(file)))).flat();
    const operations = new Set(requests.map((r) => `${r.service}:${r.operation}`));
    for (const expected of [
      "sfn:CreateStateMachine",
      "sfn:UpdateStateMachine",
      "sfn:UpdateStateMachineAlias",
      "sfn:StartExecution",
      "sfn:StopExecution",
      "sfn:RedriveExecution",
      "sfn:DeleteStateMachine",
      "sfn:DeleteStateMachineVersion",
      "batch:RegisterJobDefinition",
      "scheduler:CreateSchedule",
      "events:PutRule",
      "events:PutTargets",
    ]) {
      assert.ok(operations.has(expected), `${expected} was not exercised`);
    }
    await assertValid(requests);
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
    const requests = await lifecycle(file, { name: `S${"n".repeat(79)}`, user: "u".repeat(256) });
    await assertValid(requests);
  });

  test("a user name no tag can hold is refused before anything is uploaded or registered", async () => {
    // given
    const aws = new FakeAws();
    const before = (await storage.list("ParameterFlow/code")).length;
    // when / then
    await assert.rejects(
      deployFile(aws, "examples/parameter_flow.ts", { s3Root, storage, outDir, user: "u".repeat(257) }),
      (error: Error & { code?: string }) => error.code === "FS_SFN_METADATA_TOO_LARGE",
    );
    assert.deepEqual(
      recordedRequests(aws).map((r) => r.operation),
      ["DescribeStateMachine"],
    );
    assert.equal((await storage.list("ParameterFlow/code")).length, before);
  });
});
