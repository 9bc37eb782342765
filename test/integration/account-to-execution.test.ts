// From an empty account to executions, with the real CLI only (issue 27): in one moto world,
// `flowship aws stack deploy` makes the account's resources on Fargate, `configure aws
// --from-stack` writes the settings from the stack's outputs into this test's own home, and
// ParameterFlow and ForeachFlow are deployed with `step-functions create`, started with
// `step-functions trigger` and executed by moto's Step Functions interpreter, each Batch job running
// its registered command in the sandbox (test/helpers/moto/batch_sandbox.py; needs `npm run build`).
// Each run stores what a local run stores. No FLOWSHIP_AWS_* variable is set: every setting comes
// from the stack.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  DescribeJobDefinitionsCommand,
  DescribeJobsCommand,
  type JobDefinition,
  ListJobsCommand,
} from "@aws-sdk/client-batch";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import { type CliResult, flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
import { sdkClients } from "../helpers/moto-account.js";
import { deployFlow, type MotoAccount, triggerAndWait } from "../helpers/moto-executions.js";
import { runArtifacts } from "../helpers/run-artifacts.js";

const STACK = "flowship";
const home = tempDir("flowship-home-");
const localRoot = path.join(tempDir("flowship-local-"), ".flowship");

let moto: Moto;
/** The CLI's environment: moto's endpoint, region and fake keys, a home of its own, no settings. */
let env: NodeJS.ProcessEnv;
/** The account as the stack's outputs describe it, for the executions helpers. */
let account: MotoAccount;
let outputs: Record<string, string>;
/** Local runs of both flows, started with the stack's deploy (they need nothing of it). */
let localRuns: Promise<Record<string, CliResult>>;

const FLOWS = {
  ParameterFlow: { file: "examples/parameter_flow.ts", args: ["--alpha", "0.5"] },
  ForeachFlow: { file: "examples/foreach_flow.ts", args: ["--count", "3"] },
} as const;
type FlowName = keyof typeof FLOWS;

/** A caught error's stack names the folder it ran in (a job's, or this checkout): a marker instead. */
function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === "stack" ? "<stack>" : withoutStacks(inner)]),
  );
}

/** The outputs the deploy printed, by name. */
function printedOutputs(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}(\w+)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

before(async () => {
  moto = await startMoto({
    config: { stepfunctions: { execute_state_machine: true } },
    batchSandbox: true,
  });
  // Only what the shell running the test may have set is removed: every AWS setting of the CLI
  // must come from the stack.
  const inherited = Object.fromEntries(
    Object.keys(process.env)
      .filter((name) => name.startsWith("FLOWSHIP_AWS_") || name === "FLOWSHIP_CONFIG")
      .map((name) => [name, undefined]),
  );
  env = flowshipEnv(localRoot, { ...inherited, ...moto.env, HOME: home, FLOWSHIP_USER: "alice" });
  localRuns = (async () => {
    const entries = await Promise.all(
      Object.entries(FLOWS).map(async ([flow, { file, args }]) => {
        const result = await runCli([file, "run", ...args], { env: flowshipEnv(localRoot) });
        return [flow, result] as const;
      }),
    );
    return Object.fromEntries(entries);
  })();
  // This process reads moto's S3 through the Client API with moto's keys.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: moto.region,
  });
});

after(async () => {
  await localRuns?.catch(() => undefined);
  await moto?.close();
});

test("the stack deploys on Fargate and configure aws --from-stack writes its outputs as the settings", async () => {
  // given: moto's Batch refuses a compute environment without a ServiceRole ("ServiceRole is
  // required", moto/batch/models.py), where AWS makes it optional and uses Batch's service-linked
  // role; so the deploy names a role made first in moto itself: the one option moto forces.
  const serviceRole = await sdkClients(moto).iam.send(
    new CreateRoleCommand({
      RoleName: "batch-service",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "batch.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  // when
  const deployed = await runCli(
    [
      "aws",
      "stack",
      "deploy",
      "--name",
      STACK,
      "--compute",
      "fargate",
      "--batch-service-role",
      serviceRole.Role!.Arn!,
      "--poll-seconds",
      "0.1",
    ],
    { env },
  );
  // then
  assert.equal(deployed.code, 0, deployed.stderr);
  outputs = printedOutputs(deployed.stdout);
  assert.equal(outputs.Compute, "fargate");
  assert.equal(outputs.ExecutionRole, `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-execution`);

  // when
  const configured = await runCli(["configure", "aws", "--from-stack", STACK], { env });
  // then: the settings file in this test's home holds the stack's outputs
  assert.equal(configured.code, 0, configured.stderr);
  const settings = (
    JSON.parse(fs.readFileSync(path.join(home, ".flowshiprc.json"), "utf8")) as {
      aws: Record<string, string>;
    }
  ).aws;
  assert.deepEqual(
    {
      region: settings.region,
      jobQueue: settings.jobQueue,
      s3Root: settings.s3Root,
      batchJobRole: settings.batchJobRole,
      sfnRole: settings.sfnRole,
      executionRole: settings.executionRole,
      compute: settings.compute,
    },
    {
      region: moto.region,
      jobQueue: outputs.JobQueue,
      s3Root: outputs.S3Root,
      batchJobRole: outputs.BatchJobRole,
      sfnRole: outputs.SfnRole,
      executionRole: outputs.ExecutionRole,
      compute: "fargate",
    },
  );
  const bucket = new URL(outputs.S3Root!).hostname;
  account = {
    moto,
    bucket,
    s3Root: outputs.S3Root!,
    jobQueue: outputs.JobQueue!,
    env,
    close: () => moto.close(),
  };
});

/** Every job definition the flow's finished Batch jobs ran with. */
async function jobDefinitionsOf(flow: FlowName): Promise<JobDefinition[]> {
  const { batch } = sdkClients(moto);
  const listed = await batch.send(
    new ListJobsCommand({ jobQueue: account.jobQueue, jobStatus: "SUCCEEDED" }),
  );
  const ids = (listed.jobSummaryList ?? [])
    .filter((job) => job.jobName?.startsWith(`${flow}-`))
    .map((job) => job.jobId!);
  assert.ok(ids.length > 0, `no finished job of ${flow} on ${account.jobQueue}`);
  const { jobs = [] } = await batch.send(new DescribeJobsCommand({ jobs: ids }));
  const arns = [...new Set(jobs.map((job) => job.jobDefinition!))];
  const { jobDefinitions = [] } = await batch.send(
    new DescribeJobDefinitionsCommand({ jobDefinitions: arns }),
  );
  return jobDefinitions;
}

describe("flows deployed on the stack's resources run there", { concurrency: true }, () => {
  for (const [flow, { file, args }] of Object.entries(FLOWS) as [FlowName, (typeof FLOWS)[FlowName]][]) {
    test(`${flow}: create, trigger, and the execution on Fargate stores what a local run stores`, {
      timeout: 240_000,
    }, async () => {
      // given: the stack's settings (the test above), and the flow run locally
      assert.ok(account, "the stack was not deployed");
      const local = (await localRuns)[flow]!;
      assert.equal(local.code, 0, local.stderr);
      const expected = await runArtifacts(
        { kind: "local", root: localRoot },
        `${flow}/${runIdFrom(local.stderr)}`,
      );
      // when
      const created = await deployFlow(account, file);
      assert.equal(created.code, 0, created.stderr);
      const { runId, execution, logs } = await triggerAndWait(account, file, flow, [...args], 180_000);
      // then
      assert.equal(execution.status, "SUCCEEDED", `${execution.error}: ${execution.cause}\n${logs}`);
      assert.match(execution.stateMachineAliasArn ?? "", new RegExp(`:stateMachine:${flow}:production$`));
      const machine = await sdkClients(moto).sfn.send(
        new DescribeStateMachineCommand({ stateMachineArn: execution.stateMachineArn! }),
      );
      assert.equal(machine.roleArn, outputs.SfnRole);
      const actual = await runArtifacts(
        { kind: "s3", root: account.s3Root, endpoint: moto.directEndpoint },
        `${flow}/${runId}`,
      );
      assert.deepEqual(withoutStacks(actual), withoutStacks(expected));
      // and the jobs ran with a Fargate job definition that runs as the stack's execution role
      // (asserted here: moto 5.2.5 registers and runs a job definition without Fargate's rules —
      // executionRoleArn required, a valid vCPU/memory pair — and whatever its platform, on any queue)
      const definitions = await jobDefinitionsOf(flow);
      assert.deepEqual(
        definitions.map((d) => ({
          name: d.jobDefinitionName,
          platformCapabilities: d.platformCapabilities,
          executionRole: d.containerProperties?.executionRoleArn,
          jobRole: d.containerProperties?.jobRoleArn,
        })),
        [
          {
            name: `flowship-${flow}`,
            platformCapabilities: ["FARGATE"],
            executionRole: outputs.ExecutionRole,
            jobRole: outputs.BatchJobRole,
          },
        ],
      );
    });
  }
});

test("every request the CLI sent matches botocore's models", async () => {
  const report = await moto.validate();
  assert.deepEqual(report.findings, []);
  assert.ok(report.checked > 0);
});
