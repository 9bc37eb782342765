// The AWS the tests run against (test/helpers/moto.ts): moto's server with its gaps patched as
// AWS documents them, a proxy that records and injects faults, and the check of what was sent
// against botocore's models. Each of these must be able to fail a test, so each is shown failing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BatchClient, type PlatformCapability, RegisterJobDefinitionCommand } from "@aws-sdk/client-batch";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CreateStateMachineAliasCommand,
  CreateStateMachineCommand,
  DeleteStateMachineVersionCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from "@aws-sdk/client-sfn";
import { calls, MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";

let moto: Moto;
let interpreted: Moto;
const role = `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-step-functions`;
const passing = (value: number) =>
  JSON.stringify({ StartAt: "P", States: { P: { Type: "Pass", Result: { value }, End: true } } });
const clientOptions = (m: Moto) => ({
  region: m.region,
  endpoint: m.endpoint,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
});

before(async () => {
  [moto, interpreted] = await Promise.all([
    startMoto(),
    startMoto({ config: { stepfunctions: { execute_state_machine: true } } }),
  ]);
});
after(async () => {
  await Promise.all([moto?.close(), interpreted?.close()]);
});

/** A state machine with versions 1 (value 1) and 2 (value 2) and an alias `production` on 1. */
async function versionedMachine(sfn: SFNClient, name: string) {
  const created = await sfn.send(
    new CreateStateMachineCommand({ name, roleArn: role, definition: passing(1), publish: true }),
  );
  await sfn.send(
    new UpdateStateMachineCommand({
      stateMachineArn: created.stateMachineArn,
      definition: passing(2),
      publish: true,
    }),
  );
  const alias = await sfn.send(
    new CreateStateMachineAliasCommand({
      name: "production",
      routingConfiguration: [{ stateMachineVersionArn: created.stateMachineVersionArn, weight: 100 }],
    }),
  );
  return {
    arn: created.stateMachineArn!,
    version1: created.stateMachineVersionArn!,
    alias: alias.stateMachineAliasArn!,
  };
}

test("an execution started on an alias runs the alias's version and is listed under its state machine", async () => {
  const sfn = new SFNClient(clientOptions(interpreted));
  const machine = await versionedMachine(sfn, "AliasRun");
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: machine.alias, name: "run-1" }),
  );
  let execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  for (let i = 0; execution.status === "RUNNING" && i < 50; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  assert.equal(execution.status, "SUCCEEDED");
  assert.deepEqual(JSON.parse(execution.output!), { value: 1 });
  assert.equal(execution.stateMachineAliasArn, machine.alias);
  assert.equal(execution.stateMachineVersionArn, machine.version1);
  const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: machine.arn }));
  assert.deepEqual(
    listed.executions?.map((e) => [e.name, e.stateMachineAliasArn]),
    [["run-1", machine.alias]],
  );
});

test("versions are listed newest first, and one an alias routes to cannot be deleted", async () => {
  const sfn = new SFNClient(clientOptions(moto));
  const machine = await versionedMachine(sfn, "Versions");
  const listed = await sfn.send(
    new ListStateMachineVersionsCommand({ stateMachineArn: machine.arn, maxResults: 1 }),
  );
  assert.deepEqual(
    listed.stateMachineVersions?.map((v) => v.stateMachineVersionArn),
    [`${machine.arn}:2`],
  );
  const next = await sfn.send(
    new ListStateMachineVersionsCommand({ stateMachineArn: machine.arn, nextToken: listed.nextToken }),
  );
  assert.deepEqual(
    next.stateMachineVersions?.map((v) => v.stateMachineVersionArn),
    [machine.version1],
  );
  await assert.rejects(
    sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: machine.version1 })),
    { name: "ConflictException" },
  );
  await sfn.send(new DeleteStateMachineVersionCommand({ stateMachineVersionArn: `${machine.arn}:2` }));
  const left = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: machine.arn }));
  assert.deepEqual(
    left.stateMachineVersions?.map((v) => v.stateMachineVersionArn),
    [machine.version1],
  );
});

test("only a stopped, failed or timed-out execution can be redriven", async () => {
  const sfn = new SFNClient(clientOptions(moto));
  const machine = await versionedMachine(sfn, "Redrive");
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: machine.alias }));
  await assert.rejects(sfn.send(new RedriveExecutionCommand({ executionArn })), {
    name: "ExecutionNotRedrivable",
  });
  await sfn.send(new StopExecutionCommand({ executionArn }));
  const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
  assert.ok(redriven.redriveDate instanceof Date);
  const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  assert.equal(execution.status, "RUNNING");
});

test("an injected fault answers in the service's own protocol, and the SDK reads its code", async () => {
  const sfn = new SFNClient(clientOptions(moto));
  const iam = new IAMClient(clientOptions(moto));
  const batch = new BatchClient(clientOptions(moto));
  moto.inject({ match: calls("states:CreateStateMachine"), code: "AccessDeniedException", times: 1 });
  moto.inject({ match: calls("iam:CreateRole"), code: "AccessDenied", times: 1 });
  moto.inject({
    match: (r) => r.service === "batch" && r.url.startsWith("/v1/registerjobdefinition"),
    code: "ClientException",
    times: 1,
  });
  await assert.rejects(
    sfn.send(new CreateStateMachineCommand({ name: "Faulted", roleArn: role, definition: passing(1) })),
    { name: "AccessDeniedException" },
  );
  await assert.rejects(
    iam.send(new CreateRoleCommand({ RoleName: "faulted", AssumeRolePolicyDocument: "{}" })),
    { name: "AccessDenied" },
  );
  await assert.rejects(
    batch.send(new RegisterJobDefinitionCommand({ jobDefinitionName: "faulted", type: "container" })),
    { name: "ClientException" },
  );
  // Spent: the same call now reaches moto.
  await sfn.send(new CreateStateMachineCommand({ name: "Faulted", roleArn: role, definition: passing(1) }));
});

test("botocore's models catch a wrong request in each protocol flowship speaks", async () => {
  // given: a fresh world, so only these requests are recorded
  const world = await startMoto();
  try {
    const sfn = new SFNClient(clientOptions(world));
    const batch = new BatchClient(clientOptions(world));
    const iam = new IAMClient(clientOptions(world));
    // when: three requests moto accepts but AWS's models do not
    await sfn.send(
      new CreateStateMachineCommand({ name: "M", roleArn: role, definition: passing(1), type: "STANDARD" }),
    );
    await sfn.send(
      // JSON protocol: a tag value over 256 characters.
      new CreateStateMachineCommand({
        name: "Tagged",
        roleArn: role,
        definition: passing(1),
        tags: [{ key: "k", value: "v".repeat(300) }],
      }),
    );
    await batch.send(
      // REST-JSON: a platform capability that is not one of the enum's.
      new RegisterJobDefinitionCommand({
        jobDefinitionName: "j",
        platformCapabilities: ["LAMBDA" as PlatformCapability],
        type: "container",
        containerProperties: {
          image: "node:22",
          command: ["true"],
          resourceRequirements: [
            { type: "VCPU", value: "1" },
            { type: "MEMORY", value: "2048" },
          ],
        },
      }),
    );
    await iam.send(
      // Query protocol: a session duration under its minimum of 3,600 s.
      new CreateRoleCommand({ RoleName: "r", AssumeRolePolicyDocument: "{}", MaxSessionDuration: 60 }),
    );
    // then
    const report = await world.validate();
    assert.equal(report.checked, 4);
    assert.deepEqual(report.unchecked, []);
    assert.equal(report.findings.length, 3, report.findings.join("\n"));
    assert.match(report.findings[0]!, /^stepfunctions:CreateStateMachine.*tags\[0\]\.value: 300 characters/);
    assert.match(
      report.findings[1]!,
      /^batch:RegisterJobDefinition.*platformCapabilities\[0\]: 'LAMBDA' is not one of/,
    );
    assert.match(report.findings[2]!, /^iam:CreateRole: .*MaxSessionDuration/);
  } finally {
    await world.close();
  }
});
