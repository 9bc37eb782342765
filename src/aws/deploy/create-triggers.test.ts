// deployFlow and what starts a deployed flow by itself: the schedule (EventBridge Scheduler) and
// triggerOnFinish (an EventBridge rule), through mocked SDK clients; S3 on loopback.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DeleteRuleCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { tempDir } from "../../../test/helpers/cli.js";
import {
  ACCOUNT,
  deployFile,
  loadDeployable,
  REGION,
  type TestDeployOptions,
} from "../../../test/helpers/deploy-fixtures.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { openStorage } from "../../datastore/open-storage.js";
import type { Storage } from "../../datastore/storage.js";
import { planDeploy } from "./create.js";

const dir = tempDir("flowship-deploy-triggers-");
let server: S3TestServer;
let storage: Storage;
let s3Root: string;

function flowFile(name: string, source: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    `import { flow, schedule, triggerOnFinish } from "flowship";\nexport default ${source};\n`,
  );
  return file;
}

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;

function deploy(aws: FakeAws, file: string, extra: Partial<TestDeployOptions> = {}) {
  return deployFile(aws, file, { s3Root, storage, outDir: path.join(dir, "_code"), ...extra });
}

const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

describe("step-functions create: schedules and triggerOnFinish", () => {
  before(async () => {
    server = await startS3Server();
    s3Root = `s3://${server.bucket}/flowship`;
    storage = await openStorage({ kind: "s3", root: s3Root, endpoint: server.endpoint });
  });
  after(() => server.close());

  test("a schedule becomes an EventBridge Scheduler schedule on the alias; removing it deletes it", async () => {
    // given
    const aws = new FakeAws();
    const scheduled = flowFile(
      "berlin.ts",
      `flow("BerlinFlow").decorator(schedule({ cron: "0 9 ? * MON-FRI *", timezone: "Europe/Berlin" })).step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    // when
    const result = await deploy(aws, scheduled);
    // then
    assert.deepEqual(aws.scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input, {
      Name: "flowship-BerlinFlow",
      ScheduleExpression: "cron(0 9 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Description: "flowship: starts flow BerlinFlow (state machine BerlinFlow, alias production)",
      // Scheduler's universal target calling StartExecution with the production alias's ARN.
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:sfn:startExecution",
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-scheduler`,
        Input: JSON.stringify({
          StateMachineArn: `${machineArn("BerlinFlow")}:production`,
          Input: '{"Parameters":"{}"}',
        }),
      },
    });
    assert.deepEqual(result.schedule?.next, [
      "2026-03-03T08:00:00.000Z",
      "2026-03-04T08:00:00.000Z",
      "2026-03-05T08:00:00.000Z",
    ]);
    // when: deployed again, then without the decorator
    await deploy(aws, scheduled);
    assert.equal(aws.scheduler.commandCalls(UpdateScheduleCommand).length, 1);
    const unscheduled = flowFile(
      "berlin.ts",
      `flow("BerlinFlow").step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const last = await deploy(aws, unscheduled);
    // then
    assert.equal(last.schedule, undefined);
    assert.deepEqual(aws.scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input, {
      Name: "flowship-BerlinFlow",
    });
    assert.equal(aws.schedules.size, 0);
  });

  test("a scheduled flow with a required parameter without default is refused before any AWS call", async () => {
    const file = flowFile(
      "required.ts",
      `flow("RequiredFlow").decorator(schedule({ daily: true })).parameter("day", { required: true }).step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const { flow } = await loadDeployable(file, path.join(dir, "_code"));
    assert.throws(() => planDeploy(flow), hasCode("FS_SFN_UNATTENDED_REQUIRED_PARAMETER"));
    const aws = new FakeAws();
    await assert.rejects(deploy(aws, file), hasCode("FS_SFN_UNATTENDED_REQUIRED_PARAMETER"));
    assert.equal(aws.sfn.calls().length, 0);
  });

  test("triggerOnFinish becomes a rule on the upstream state machine's SUCCEEDED executions", async () => {
    const aws = new FakeAws();
    const file = flowFile(
      "report.ts",
      `flow("ReportFlow").decorator(triggerOnFinish({ flow: "TrainFlow" })).step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const result = await deploy(aws, file);
    assert.deepEqual(result.triggerOnFinish, {
      rule: "flowship-ReportFlow-on-finish",
      upstream: ["TrainFlow"],
    });
    const rule = aws.events.commandCalls(PutRuleCommand)[0]!.args[0].input;
    assert.deepEqual(
      { ...rule, EventPattern: JSON.parse(rule.EventPattern!) },
      {
        Name: "flowship-ReportFlow-on-finish",
        State: "ENABLED",
        Description: "flowship: starts flow ReportFlow when TrainFlow succeeds",
        EventPattern: {
          source: ["aws.states"],
          "detail-type": ["Step Functions Execution Status Change"],
          detail: { status: ["SUCCEEDED"], stateMachineArn: [machineArn("TrainFlow")] },
        },
      },
    );
    assert.deepEqual(aws.events.commandCalls(PutTargetsCommand)[0]!.args[0].input, {
      Rule: "flowship-ReportFlow-on-finish",
      Targets: [
        {
          Id: "flowship",
          Arn: `${machineArn("ReportFlow")}:production`,
          RoleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-events`,
          Input: '{"Parameters":"{}"}',
        },
      ],
    });
    // Deployed without the decorator, the rule goes.
    await deploy(
      aws,
      flowFile(
        "report.ts",
        `flow("ReportFlow").step("start", () => {}, { next: "end" }).step("end", () => {})`,
      ),
    );
    assert.deepEqual(aws.events.commandCalls(DeleteRuleCommand)[0]!.args[0].input, {
      Name: "flowship-ReportFlow-on-finish",
    });
  });
});
