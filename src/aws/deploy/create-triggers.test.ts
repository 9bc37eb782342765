// deployFlow and what starts a deployed flow by itself: the schedule (EventBridge Scheduler) and
// triggerOnFinish (an EventBridge rule), against moto: what was sent, and what Scheduler and
// EventBridge then hold.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, beforeEach, describe, test } from "node:test";
import { DescribeRuleCommand, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetScheduleCommand, ListSchedulesCommand } from "@aws-sdk/client-scheduler";
import { tempDir } from "../../../test/helpers/cli.js";
import {
  ACCOUNT,
  deployFile,
  loadDeployable,
  REGION,
  type TestDeployOptions,
} from "../../../test/helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../../../test/helpers/moto.js";
import {
  motoBucketStorage,
  motoDeployClients,
  motoDirect,
  operations,
  resetMoto,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import type { Storage } from "../../datastore/storage.js";
import { planDeploy } from "./create.js";
import type { DeployClients } from "./deployment.js";

const BUCKET = "flowship-create-triggers-test";
const dir = tempDir("flowship-deploy-triggers-");
let moto: Moto;
let aws: { clients: DeployClients };
let direct: ReturnType<typeof motoDirect>;
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

function deploy(file: string, extra: Partial<TestDeployOptions> = {}) {
  return deployFile(aws, file, { s3Root, storage, outDir: path.join(dir, "_code"), ...extra });
}

const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;

describe("step-functions create: schedules and triggerOnFinish", () => {
  before(async () => {
    moto = await startMoto();
    aws = { clients: motoDeployClients(moto) };
    direct = motoDirect(moto);
    ({ storage, s3Root } = await motoBucketStorage(moto, BUCKET));
  });
  after(() => moto?.close());
  beforeEach(() => resetMoto(moto, BUCKET));

  test("a schedule becomes an EventBridge Scheduler schedule on the alias; removing it deletes it", async () => {
    // given
    const scheduled = flowFile(
      "berlin.ts",
      `flow("BerlinFlow").decorator(schedule({ cron: "0 9 ? * MON-FRI *", timezone: "Europe/Berlin" })).step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const mark = moto.requests.length;
    // when
    const result = await deploy(scheduled);
    // then
    const expected = {
      Name: "flowship-BerlinFlow",
      ScheduleExpression: "cron(0 9 ? * MON-FRI *)",
      ScheduleExpressionTimezone: "Europe/Berlin",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Description: "flowship: starts flow BerlinFlow (state machine BerlinFlow, alias production)",
      // Scheduler's universal target calling StartExecution with the production alias's ARN, the
      // fire time in the input (Scheduler fills in its context attribute).
      Target: {
        Arn: "arn:aws:scheduler:::aws-sdk:sfn:startExecution",
        RoleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-scheduler`,
        Input: JSON.stringify({
          StateMachineArn: `${machineArn("BerlinFlow")}:production`,
          Input: '{"Parameters":"{}","ScheduledTime":"<aws.scheduler.scheduled-time>"}',
        }),
      },
    };
    // The name travels in the path; the body holds the rest (and a ClientToken the SDK adds).
    const [{ ClientToken, ...created }] = sent(moto, "scheduler:CreateSchedule", mark);
    assert.equal(typeof ClientToken, "string");
    assert.deepEqual({ Name: "flowship-BerlinFlow", ...created }, expected);
    const schedule = await direct.scheduler.send(new GetScheduleCommand({ Name: "flowship-BerlinFlow" }));
    assert.deepEqual(
      {
        Name: schedule.Name,
        ScheduleExpression: schedule.ScheduleExpression,
        ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
        FlexibleTimeWindow: schedule.FlexibleTimeWindow,
        State: schedule.State,
        Description: schedule.Description,
        Target: {
          Arn: schedule.Target?.Arn,
          RoleArn: schedule.Target?.RoleArn,
          Input: schedule.Target?.Input,
        },
      },
      expected,
    );
    assert.deepEqual(result.schedule?.next, [
      "2026-03-03T08:00:00.000Z",
      "2026-03-04T08:00:00.000Z",
      "2026-03-05T08:00:00.000Z",
    ]);
    // when: deployed again, then without the decorator
    const again = moto.requests.length;
    await deploy(scheduled);
    assert.deepEqual(
      operations(moto)
        .slice(again)
        .filter((o) => o.startsWith("scheduler:")),
      ["scheduler:GetSchedule", "scheduler:UpdateSchedule"],
    );
    const unscheduled = flowFile(
      "berlin.ts",
      `flow("BerlinFlow").step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const removing = moto.requests.length;
    const last = await deploy(unscheduled);
    // then
    assert.equal(last.schedule, undefined);
    const deletes = moto.requests
      .slice(removing)
      .filter((r) => r.service === "scheduler" && r.method === "DELETE");
    assert.deepEqual(
      deletes.map((r) => [r.url.split("?")[0], r.status]),
      [["/schedules/flowship-BerlinFlow", 200]],
    );
    const { Schedules } = await direct.scheduler.send(new ListSchedulesCommand({}));
    assert.deepEqual(Schedules, []);
  });

  test("a scheduled flow with a required parameter without default is refused before any AWS call", async () => {
    const file = flowFile(
      "required.ts",
      `flow("RequiredFlow").decorator(schedule({ daily: true })).parameter("day", { required: true }).step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const { flow } = await loadDeployable(file, path.join(dir, "_code"));
    assert.throws(() => planDeploy(flow), hasCode("FS_SFN_UNATTENDED_REQUIRED_PARAMETER"));
    const mark = moto.requests.length;
    await assert.rejects(deploy(file), hasCode("FS_SFN_UNATTENDED_REQUIRED_PARAMETER"));
    assert.deepEqual(operations(moto, { s3: true, from: mark }), []);
  });

  test("triggerOnFinish becomes a rule on the upstream state machine's SUCCEEDED executions", async () => {
    const file = flowFile(
      "report.ts",
      `flow("ReportFlow").decorator(triggerOnFinish({ flow: "TrainFlow" })).step("start", () => {}, { next: "end" }).step("end", () => {})`,
    );
    const mark = moto.requests.length;
    const result = await deploy(file);
    assert.deepEqual(result.triggerOnFinish, {
      rule: "flowship-ReportFlow-on-finish",
      upstream: ["TrainFlow"],
    });
    const pattern = {
      source: ["aws.states"],
      "detail-type": ["Step Functions Execution Status Change"],
      detail: { status: ["SUCCEEDED"], stateMachineArn: [machineArn("TrainFlow")] },
    };
    const [put] = sent(moto, "events:PutRule", mark);
    assert.deepEqual(
      { ...put, EventPattern: JSON.parse(put.EventPattern) },
      {
        Name: "flowship-ReportFlow-on-finish",
        State: "ENABLED",
        Description: "flowship: starts flow ReportFlow when TrainFlow succeeds",
        EventPattern: pattern,
      },
    );
    const rule = await direct.events.send(new DescribeRuleCommand({ Name: "flowship-ReportFlow-on-finish" }));
    assert.deepEqual(
      [rule.State, rule.Description, JSON.parse(rule.EventPattern!)],
      ["ENABLED", "flowship: starts flow ReportFlow when TrainFlow succeeds", pattern],
    );
    const target = {
      Id: "flowship",
      Arn: `${machineArn("ReportFlow")}:production`,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/flowship-events`,
      Input: '{"Parameters":"{}"}',
    };
    assert.deepEqual(sent(moto, "events:PutTargets", mark), [
      { Rule: "flowship-ReportFlow-on-finish", Targets: [target] },
    ]);
    const { Targets } = await direct.events.send(
      new ListTargetsByRuleCommand({ Rule: "flowship-ReportFlow-on-finish" }),
    );
    assert.deepEqual(Targets, [target]);
    // Deployed without the decorator, the rule goes: its target first (EventBridge refuses to
    // delete a rule that has targets), then the rule.
    const removing = moto.requests.length;
    await deploy(
      flowFile(
        "report.ts",
        `flow("ReportFlow").step("start", () => {}, { next: "end" }).step("end", () => {})`,
      ),
    );
    assert.deepEqual(sent(moto, "events:RemoveTargets", removing)[0], {
      Rule: "flowship-ReportFlow-on-finish",
      Ids: ["flowship"],
    });
    assert.deepEqual(sent(moto, "events:DeleteRule", removing), [{ Name: "flowship-ReportFlow-on-finish" }]);
    const { Rules } = await direct.events.send(new ListRulesCommand({ NamePrefix: "flowship-" }));
    assert.deepEqual(Rules, []);
  });

  test("every request sent is valid by AWS's API models", async () => {
    const report = await moto.validate();
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  });
});
