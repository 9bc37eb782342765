// list-runs, terminate and resume of production runs against moto: the exact requests, the
// refusals, and the executions read back from Step Functions.
//
// Executions really run: moto's interpreter (stepfunctions.execute_state_machine) runs the test
// deployment's definition, which ends each run as its input says (succeed, fail, wait, or outlive
// the state machine's TimeoutSeconds). moto's interpreter cannot redrive, so the failed run that
// is resumed comes from a second moto without the interpreter, started with
// SF_EXECUTION_HISTORY_TYPE=FAILURE: there an execution is FAILED from its start (moto's own model
// of a failed execution), and RedriveExecution makes it RUNNING again (test/helpers/moto/patches.py).
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { ACCOUNT, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { calls, type Moto, startMoto } from "../../../test/helpers/moto.js";
import {
  motoDeployClients,
  motoDirect,
  resetMoto,
  seedDeployment,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import { listRuns } from "./list-runs.js";
import { redriveRun } from "./redrive.js";
import { deployTarget } from "./resource-names.js";
import type { SfnDeployClient } from "./sfn-client.js";
import { terminateRun } from "./terminate.js";

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;
const settings = testSettings("s3://bucket/flowship");
const target = deployTarget(settings, "ParameterFlow");
const machineArn = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow`;
const executionArn = (name: string, machine = "ParameterFlow") =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`;
let moto: Moto;
let failing: Moto;
let sfn: SfnDeployClient;
let mark = 0;

type Outcome = "succeed" | "fail" | "wait";

/**
 * A definition that ends a run as its input's `outcome` says: at once (SUCCEEDED), at a Fail state
 * (FAILED), or after waiting `waitSeconds` (RUNNING until then, or TIMED_OUT when the state
 * machine's `timeoutSeconds` come first).
 */
function outcomes(options: { waitSeconds: number; timeoutSeconds?: number }): string {
  return JSON.stringify({
    ...(options.timeoutSeconds ? { TimeoutSeconds: options.timeoutSeconds } : {}),
    StartAt: "Outcome",
    States: {
      Outcome: {
        Type: "Choice",
        Choices: [
          { Variable: "$.outcome", StringEquals: "fail", Next: "Fail" },
          { Variable: "$.outcome", StringEquals: "wait", Next: "Wait" },
        ],
        Default: "Done",
      },
      Fail: { Type: "Fail", Error: "States.TaskFailed", Cause: "the step's Batch job failed" },
      Wait: { Type: "Wait", Seconds: options.waitSeconds, Next: "Done" },
      Done: { Type: "Succeed" },
    },
  });
}

/** A deployment as `alice` made it, whose runs end as their input says. */
function deploy(options: { waitSeconds: number; timeoutSeconds?: number; name?: string }) {
  return seedDeployment(moto, {
    name: options.name ?? "ParameterFlow",
    owner: "alice",
    token: "parameterflow-0-abcd",
    definition: () => outcomes(options),
  });
}

/** Starts a run on the production alias, as a trigger does, and waits until it left RUNNING (unless it waits). */
async function run(name: string, outcome: Outcome, machine = "ParameterFlow"): Promise<string> {
  const { sfn: direct } = motoDirect(moto);
  const { executionArn } = await direct.send(
    new StartExecutionCommand({
      stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${machine}:production`,
      name,
      input: JSON.stringify({ Parameters: "{}", outcome }),
    }),
  );
  if (outcome === "wait") return status(executionArn!);
  for (let i = 0; i < 100; i++) {
    const now = await status(executionArn!);
    if (now !== "RUNNING") return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`run ${name} still RUNNING after 5 s`);
}

async function status(arn: string, world = moto): Promise<string> {
  const execution = await motoDirect(world).sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  return execution.status!;
}

/** Stops a run the test left waiting, so moto's interpreter has no thread left running. */
async function stop(arn: string): Promise<void> {
  await motoDirect(moto).sfn.send(new StopExecutionCommand({ executionArn: arn }));
}

before(async () => {
  [moto, failing] = await Promise.all([
    startMoto({ config: { stepfunctions: { execute_state_machine: true } } }),
    startMoto({ env: { SF_EXECUTION_HISTORY_TYPE: "FAILURE" } }),
  ]);
  sfn = motoDeployClients(moto).sfn;
});
after(() => Promise.all([moto?.close(), failing?.close()]));
beforeEach(async () => {
  await resetMoto(moto);
  mark = moto.requests.length;
});

describe("step-functions list-runs", () => {
  test("all runs, newest first, with one ListExecutions", async () => {
    await deploy({ waitSeconds: 3600 });
    assert.equal(await run("first", "succeed"), "SUCCEEDED");
    assert.equal(await run("second", "wait"), "RUNNING");
    const runs = await listRuns({ sfn, target });
    assert.deepEqual(
      runs.map((r) => [r.runId, r.status, r.stopDate !== undefined, r.startedWith]),
      [
        ["sfn-second", "RUNNING", false, `${machineArn}:production`],
        ["sfn-first", "SUCCEEDED", true, `${machineArn}:production`],
      ],
    );
    assert.deepEqual(sent(moto, "states:ListExecutions", mark), [{ stateMachineArn: machineArn }]);
    await stop(executionArn("second"));
  });

  test("status flags make one ListExecutions per status", async () => {
    await deploy({ waitSeconds: 2, timeoutSeconds: 1 });
    assert.equal(await run("ok", "succeed"), "SUCCEEDED");
    assert.equal(await run("bad", "fail"), "FAILED");
    assert.equal(await run("late", "wait"), "RUNNING");
    for (let i = 0; i < 100 && (await status(executionArn("late"))) === "RUNNING"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.equal(await status(executionArn("late")), "TIMED_OUT");
    const runs = await listRuns({ sfn, target, statuses: ["FAILED", "TIMED_OUT"] });
    assert.deepEqual(
      runs.map((r) => r.runId),
      ["sfn-late", "sfn-bad"],
    );
    assert.deepEqual(sent(moto, "states:ListExecutions", mark), [
      { stateMachineArn: machineArn, statusFilter: "FAILED" },
      { stateMachineArn: machineArn, statusFilter: "TIMED_OUT" },
    ]);
  });
});

describe("step-functions terminate", () => {
  test("stops a running run of this state machine", async () => {
    await deploy({ waitSeconds: 3600 });
    await run("abc", "wait");
    const { stopDate } = await terminateRun({ sfn, target, runId: "sfn-abc", user: "alice" });
    assert.ok(stopDate instanceof Date);
    assert.deepEqual(sent(moto, "states:StopExecution", mark), [
      {
        executionArn: executionArn("abc"),
        cause: "Terminated by alice with flowship step-functions terminate",
      },
    ]);
    assert.equal(await status(executionArn("abc")), "ABORTED");
  });

  test("refuses a run of another state machine, a finished run, a bad id and another user", async () => {
    await deploy({ waitSeconds: 3600 });
    await deploy({ waitSeconds: 3600, name: "OtherFlow" });
    await run("theirs", "wait", "OtherFlow");
    await run("done", "succeed");
    await run("mine", "wait");
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
    assert.deepEqual(sent(moto, "states:StopExecution", mark), []);
    assert.equal(await status(executionArn("theirs", "OtherFlow")), "RUNNING");
    await terminateRun({ sfn, target, runId: "sfn-mine", user: "bob", authorize: "parameterflow-0-abcd" });
    assert.equal(sent(moto, "states:StopExecution", mark).length, 1);
    assert.equal(await status(executionArn("mine")), "ABORTED");
    await stop(executionArn("theirs", "OtherFlow"));
  });
});

describe("step-functions redrive", () => {
  test("redrives a failed run; a succeeded one is refused", async () => {
    // given: a failed run (in the moto whose executions fail) and a succeeded one
    await seedDeployment(failing, { name: "ParameterFlow", owner: "alice", token: "parameterflow-0-abcd" });
    await motoDirect(failing).sfn.send(
      new StartExecutionCommand({ stateMachineArn: `${machineArn}:production`, name: "failed" }),
    );
    assert.equal(await status(executionArn("failed"), failing), "FAILED");
    await deploy({ waitSeconds: 3600 });
    await run("fine", "succeed");
    // when / then
    const failedMark = failing.requests.length;
    const { redriveDate } = await redriveRun({
      sfn: motoDeployClients(failing).sfn,
      target,
      runId: "sfn-failed",
      user: "alice",
    });
    assert.ok(redriveDate instanceof Date);
    // The SDK adds an idempotency token of its own.
    const [{ clientToken, ...redrive }] = sent(failing, "states:RedriveExecution", failedMark);
    assert.equal(typeof clientToken, "string");
    assert.deepEqual(redrive, { executionArn: executionArn("failed") });
    assert.equal(sent(failing, "states:RedriveExecution", failedMark).length, 1);
    assert.equal(await status(executionArn("failed"), failing), "RUNNING");
    // AWS refusing the redrive itself (its redrive count spent…) names the resume, not the settings.
    await motoDirect(failing).sfn.send(
      new StartExecutionCommand({ stateMachineArn: `${machineArn}:production`, name: "spent" }),
    );
    failing.inject({ match: calls("states:RedriveExecution"), code: "ExecutionNotRedrivable", times: 1 });
    await assert.rejects(
      redriveRun({ sfn: motoDeployClients(failing).sfn, target, runId: "sfn-spent", user: "alice" }),
      hasCode("FS_SFN_NOT_REDRIVABLE"),
    );
    await assert.rejects(
      redriveRun({ sfn, target, runId: "sfn-fine", user: "alice" }),
      hasCode("FS_SFN_RUN_NOT_FAILED"),
    );
    await assert.rejects(
      redriveRun({ sfn, target, runId: "sfn-nope", user: "alice" }),
      hasCode("FS_SFN_RUN_NOT_FOUND"),
    );
    assert.deepEqual(sent(moto, "states:RedriveExecution", mark), []);
  });
});

test("every request sent is valid by AWS's API models", async () => {
  for (const world of [moto, failing]) {
    const report = await world.validate();
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  }
});
