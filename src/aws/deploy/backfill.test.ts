/** A backfill of a flow that is not deployed says so, as resume and terminate do. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { schedule } from "../../flow/decorators.js";
import { flow } from "../../flow/flow-builder.js";
import { flowSchedule } from "../schedule/schedule-plan.js";
import { backfill, backfillSummary } from "./backfill.js";
import { AwsCallError } from "./errors.js";
import type { DeployTarget } from "./resource-names.js";
import type { SfnDeployClient } from "./sfn-client.js";

test("a backfill of a flow with no state machine: not deployed, deploy it with step-functions create", async () => {
  // given: Step Functions knows no state machine of that name
  const arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:Daily";
  const target: DeployTarget = {
    partition: "aws",
    region: "eu-west-1",
    account: "123456789012",
    name: "Daily",
    flow: "Daily",
    stateMachineArn: arn,
    aliasArn: `${arn}:production`,
  };
  const sfn = {
    listExecutions: async () => {
      const error = Object.assign(new Error(`State Machine Does Not Exist: '${arn}'`), {
        name: "StateMachineDoesNotExist",
      });
      throw new AwsCallError({ operation: "states:ListExecutions", subject: arn, error });
    },
  } as unknown as SfnDeployClient;
  const daily = flow("Daily")
    .decorator(schedule({ daily: true }))
    .step("start", () => {}, { next: "end" })
    .step("end", () => {});
  // when
  const started = backfill({
    sfn,
    target,
    schedule: flowSchedule(daily)!,
    start: new Date("2026-11-01T00:00:00Z"),
    end: new Date("2026-11-03T00:00:00Z"),
    print: () => {},
  });
  // then
  await assert.rejects(started, {
    code: "FS_SFN_NOT_DEPLOYED",
    message:
      "Flow 'Daily' is not deployed to AWS Step Functions as 'Daily' in eu-west-1. Deploy it with step-functions create.",
  });
});

test("a backfill's last line counts one fire time in the singular", () => {
  const one = { fireTimes: 1, skipped: 1, running: 0, started: 0, succeeded: 0, failed: [] };
  assert.equal(backfillSummary(one, true), "1 fire time: 1 already succeeded, 0 to run.");
  assert.equal(
    backfillSummary({ ...one, fireTimes: 2 }, false),
    "2 fire times: 1 already succeeded, 0 started, 0 succeeded.",
  );
});
