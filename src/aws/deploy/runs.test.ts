// list-runs, terminate and resume of production runs: exact requests, and refusals.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ListExecutionsCommand, RedriveExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { FakeAws } from "../../../test/helpers/aws-mocks.js";
import { ACCOUNT, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { listRuns } from "./list-runs.js";
import { deployTarget } from "./resource-names.js";
import { resumeRun } from "./resume.js";
import { terminateRun } from "./terminate.js";

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;
const settings = testSettings("s3://bucket/flowship");
const target = deployTarget(settings, "ParameterFlow");
const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;

function deployed() {
  const aws = new FakeAws();
  const machine = aws.seed({ name: "ParameterFlow", owner: "alice", token: "parameterflow-0-abcd" });
  return { aws, machine };
}

describe("step-functions list-runs", () => {
  test("all runs, newest first, with one ListExecutions", async () => {
    const { aws, machine } = deployed();
    aws.seedExecution(machine, "first", "SUCCEEDED");
    aws.seedExecution(machine, "second", "RUNNING");
    const runs = await listRuns({ sfn: aws.clients.sfn, target });
    assert.deepEqual(
      runs.map((r) => [r.runId, r.status, r.stopDate !== undefined]),
      [
        ["sfn-second", "RUNNING", false],
        ["sfn-first", "SUCCEEDED", true],
      ],
    );
    assert.deepEqual(
      aws.sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input),
      [{ stateMachineArn: machineArn }],
    );
  });

  test("status flags make one ListExecutions per status", async () => {
    const { aws, machine } = deployed();
    aws.seedExecution(machine, "ok", "SUCCEEDED");
    aws.seedExecution(machine, "bad", "FAILED");
    aws.seedExecution(machine, "late", "TIMED_OUT");
    const runs = await listRuns({ sfn: aws.clients.sfn, target, statuses: ["FAILED", "TIMED_OUT"] });
    assert.deepEqual(
      runs.map((r) => r.runId),
      ["sfn-late", "sfn-bad"],
    );
    assert.deepEqual(
      aws.sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input),
      [
        { stateMachineArn: machineArn, statusFilter: "FAILED" },
        { stateMachineArn: machineArn, statusFilter: "TIMED_OUT" },
      ],
    );
  });
});

describe("step-functions terminate", () => {
  test("stops a running run of this state machine", async () => {
    const { aws, machine } = deployed();
    aws.seedExecution(machine, "abc", "RUNNING");
    const { stopDate } = await terminateRun({
      sfn: aws.clients.sfn,
      target,
      runId: "sfn-abc",
      user: "alice",
    });
    assert.ok(stopDate);
    assert.deepEqual(aws.sfn.commandCalls(StopExecutionCommand)[0]!.args[0].input, {
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:abc`,
      cause: "Terminated by alice with flowship step-functions terminate",
    });
  });

  test("refuses a run of another state machine, a finished run, a bad id and another user", async () => {
    const { aws, machine } = deployed();
    const other = aws.seed({ name: "OtherFlow", owner: "alice", token: "t" });
    aws.seedExecution(other, "theirs", "RUNNING");
    aws.seedExecution(machine, "done", "SUCCEEDED");
    aws.seedExecution(machine, "mine", "RUNNING");
    const sfn = aws.clients.sfn;
    await assert.rejects(
      terminateRun({ sfn, target, runId: "sfn-theirs", user: "alice" }),
      hasCode("FS_SFN_RUN_NOT_FOUND"),
    );
    await assert.rejects(
      terminateRun({ sfn, target, runId: "sfn-done", user: "alice" }),
      hasCode("FS_SFN_RUN_NOT_RUNNING"),
    );
    await assert.rejects(
      terminateRun({ sfn, target, runId: "1234", user: "alice" }),
      hasCode("FS_SFN_BAD_RUN_ID"),
    );
    await assert.rejects(
      terminateRun({ sfn, target, runId: "sfn-mine", user: "bob" }),
      hasCode("FS_SFN_UNAUTHORIZED"),
    );
    assert.equal(aws.sfn.commandCalls(StopExecutionCommand).length, 0);
    await terminateRun({ sfn, target, runId: "sfn-mine", user: "bob", authorize: "parameterflow-0-abcd" });
    assert.equal(aws.sfn.commandCalls(StopExecutionCommand).length, 1);
  });
});

describe("step-functions resume", () => {
  test("redrives a failed run; a succeeded one is refused", async () => {
    const { aws, machine } = deployed();
    aws.seedExecution(machine, "failed", "FAILED");
    aws.seedExecution(machine, "fine", "SUCCEEDED");
    const sfn = aws.clients.sfn;
    await resumeRun({ sfn, target, runId: "sfn-failed", user: "alice" });
    assert.deepEqual(aws.sfn.commandCalls(RedriveExecutionCommand)[0]!.args[0].input, {
      executionArn: `arn:aws:states:${REGION}:${ACCOUNT}:execution:ParameterFlow:failed`,
    });
    await assert.rejects(
      resumeRun({ sfn, target, runId: "sfn-fine", user: "alice" }),
      hasCode("FS_SFN_RUN_NOT_FAILED"),
    );
    await assert.rejects(
      resumeRun({ sfn, target, runId: "sfn-nope", user: "alice" }),
      hasCode("FS_SFN_RUN_NOT_FOUND"),
    );
  });
});
