// step-functions trigger: the execution input and its limits, and the exact StartExecution, against
// moto (the execution it started read back from Step Functions).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { ACCOUNT, REGION, testSettings } from "../../../test/helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../../../test/helpers/moto.js";
import {
  motoDeployClients,
  motoDirect,
  resetMoto,
  seedDeployment,
  sent,
} from "../../../test/helpers/moto-deploy.js";
import type { DeployClients } from "./deployment.js";
import { deployTarget } from "./resource-names.js";
import { executionInput, MAX_INPUT_CHARS, triggerFlow } from "./trigger.js";

const hasCode = (expected: string) => (error: unknown) => (error as { code?: string }).code === expected;
const target = deployTarget(testSettings("s3://bucket/flowship"), "ParameterFlow");
let moto: Moto;
let clients: DeployClients;

describe("step-functions trigger", () => {
  before(async () => {
    moto = await startMoto();
    clients = motoDeployClients(moto);
  });
  after(() => moto?.close());

  test("the input carries the parameters' JSON text as the string value of Parameters", () => {
    assert.equal(executionInput("ParameterFlow", { alpha: 0.5 }, 1000), '{"Parameters":"{\\"alpha\\":0.5}"}');
    assert.equal(executionInput("ParameterFlow", {}, 1000), '{"Parameters":"{}"}');
  });

  test("a value JSON cannot carry as it is (given from code) is refused, naming where it is", () => {
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    for (const [value, problem] of [
      [{ a: [1, 10n] }, "a bigint at a[1]"],
      [cycle, "a cycle at self"],
      [{ when: new Date(0) }, "a Date at when"],
      [() => 1, "a function"],
      [{ n: Number.NaN }, "NaN at n"],
    ] as const) {
      assert.throws(
        () => executionInput("F", { config: value }, 1000),
        (error: Error & { code?: string }) =>
          error.code === "FS_PARAM_VALUE" &&
          error.message ===
            `Invalid value for parameter 'config' of flow 'F': ${problem}, which JSON cannot carry (a triggered run gets its parameters as JSON).`,
      );
    }
    // and: what JSON holds, an undefined property (left out, as JSON leaves it) included, is sent
    assert.equal(
      executionInput("F", { config: { a: [1, null, "x"], b: undefined } }, 1000),
      '{"Parameters":"{\\"config\\":{\\"a\\":[1,null,\\"x\\"]}}"}',
    );
  });

  test("an input over 20,480 characters is refused", () => {
    const text = "x".repeat(MAX_INPUT_CHARS);
    assert.throws(
      () => executionInput("ParameterFlow", { text }, 1_000_000),
      hasCode("FS_SFN_INPUT_TOO_LARGE"),
    );
  });

  test("parameters over the start step's budget are refused, counting escaped quotes", () => {
    // {"a":"b"} is 9 characters, 13 once its quotes are escaped inside the container overrides.
    assert.equal(executionInput("F", { a: "b" }, 13).length > 0, true);
    assert.throws(
      () => executionInput("F", { a: "b" }, 12),
      (error: Error & { code?: string }) =>
        error.code === "FS_SFN_PARAMETERS_TOO_LARGE" &&
        error.message ===
          "Parameters too large for the start step of flow 'F': '13 characters of escaped JSON, at most 12' (Batch container overrides hold 8,192 characters). Pass shorter values, or store large inputs in S3 and pass their location.",
    );
  });

  test("starts the production alias and returns the run id sfn-<execution name>", async () => {
    // given
    const machine = await seedDeployment(moto, {
      name: "ParameterFlow",
      owner: "alice",
      token: "t",
      versions: 2,
    });
    const mark = moto.requests.length;
    // when
    const run = await triggerFlow({
      sfn: clients.sfn,
      target,
      input: '{"Parameters":"{\\"alpha\\":0.5}"}',
    });
    // then
    assert.deepEqual(sent(moto, "states:StartExecution", mark), [
      {
        stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:ParameterFlow:production`,
        input: '{"Parameters":"{\\"alpha\\":0.5}"}',
      },
    ]);
    const execution = await motoDirect(moto).sfn.send(
      new DescribeExecutionCommand({ executionArn: run.executionArn }),
    );
    assert.equal(run.runId, `sfn-${execution.name}`);
    assert.equal(execution.stateMachineArn, machine);
    assert.equal(execution.status, "RUNNING");
    assert.equal(execution.input, '{"Parameters":"{\\"alpha\\":0.5}"}');
    assert.equal(execution.stateMachineAliasArn, `${machine}:production`);
    assert.equal(execution.stateMachineVersionArn, `${machine}:2`);
  });

  test("a flow that is not deployed is named with the command to deploy it", async () => {
    await resetMoto(moto);
    await assert.rejects(
      triggerFlow({ sfn: clients.sfn, target, input: "{}" }),
      (error: Error & { code?: string }) =>
        error.code === "FS_SFN_NOT_DEPLOYED" &&
        error.message ===
          "Flow 'ParameterFlow' is not deployed to AWS Step Functions as 'ParameterFlow' in eu-west-1. Deploy it with step-functions create.",
    );
  });

  test("every request sent is valid by AWS's API models", async () => {
    const report = await moto.validate();
    assert.ok(report.checked > 0);
    assert.deepEqual(report.findings, []);
  });
});
