// A second, independent Step Functions executor beside simulate's aws-local-stepfunctions: moto's
// own interpreter (a port of LocalStack's), whose Batch SubmitJob runs each job's registered
// command in the bubblewrap sandbox (test/helpers/moto/batch_sandbox.py) against moto's S3. Each
// flow is deployed with the real CLI (`step-functions create`), started on its `production` alias
// (`step-functions trigger`), and its run stores the same tasks and artifacts as a local run.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { BatchClient, DescribeJobsCommand, ListJobsCommand } from "@aws-sdk/client-batch";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  SFNClient,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import {
  deployFlow,
  type MotoAccount,
  startMotoAccount,
  triggerAndWait,
} from "../helpers/moto-executions.js";
import { runArtifacts } from "../helpers/run-artifacts.js";

interface Case {
  file: string;
  flow: string;
  /** Parameters, for the local run and the trigger alike. */
  args: string[];
  /** Options of `step-functions create`. */
  create?: string[];
}

const CASES: Case[] = [
  { file: "examples/parameter_flow.ts", flow: "ParameterFlow", args: ["--alpha", "0.5"] },
  {
    file: "examples/foreach_flow.ts",
    flow: "ForeachFlow",
    args: ["--count", "2"],
    create: ["--distributed-map", "always"],
  },
  // Both foreaches distributed: the inner one names its ResultWriter prefix from the Map's input.
  {
    file: "examples/nested_foreach_flow.ts",
    flow: "NestedForeachFlow",
    args: [],
    create: ["--distributed-map", "always"],
  },
  // A step that fails twice, then succeeds (Retry of a .sync Task), and a caught failure.
  { file: "examples/resilient_flow.ts", flow: "ResilientFlow", args: [] },
  // A switch that loops back to its own step (the loop reads the step's decision from S3).
  { file: "test/fixtures/switches/recursive_switch.ts", flow: "RecursiveSwitch", args: ["--times", "2"] },
];

const localRoot = path.join(tempDir("flowship-moto-exec-"), ".flowship");
const localEnv = flowshipEnv(localRoot);
let account: MotoAccount;
/** moto's address and keys for this process's own look-ups. */
const direct = () => ({
  region: account.moto.region,
  endpoint: account.moto.directEndpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
});

/** A caught error's stack names the folder it ran in (a job's, or this checkout): a marker instead. */
function withoutStacks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutStacks);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [key, key === "stack" ? "<stack>" : withoutStacks(inner)]),
  );
}

before(async () => {
  account = await startMotoAccount(localRoot);
  // This process reads moto's S3 through the Client API with moto's keys.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "testing",
    AWS_SECRET_ACCESS_KEY: "testing",
    AWS_REGION: account.moto.region,
  });
});
after(async () => {
  await account?.close();
});

// One execution at a time: moto's interpreter runs a Distributed Map's children and the sandboxed
// jobs on threads of one process, and five executions at once on a loaded 2-core machine made a
// NestedForeachFlow child fail now and then (not reproduced with one execution at a time).
describe("deployed flows executed by moto's Step Functions interpreter", () => {
  for (const { file, flow, args, create } of CASES) {
    // Bounded: a safety net, not a timing assertion.
    test(`${flow}: started on the production alias, the run stores what a local run stores`, {
      timeout: 240_000,
    }, async () => {
      // given: a local run, and the flow deployed with the CLI
      const [local, deployed] = await Promise.all([
        runCli([file, "run", ...args], { env: localEnv }),
        deployFlow(account, file, create),
      ]);
      assert.equal(local.code, 0, local.stderr);
      assert.equal(deployed.code, 0, deployed.stderr);
      const expected = await runArtifacts(
        { kind: "local", root: localRoot },
        `${flow}/${runIdFrom(local.stderr)}`,
      );
      // when: an execution on the production alias, each Batch job run in the sandbox
      const { runId, execution, logs } = await triggerAndWait(account, file, flow, args, 150_000);
      // then
      assert.equal(execution.status, "SUCCEEDED", `${execution.error}: ${execution.cause}\n${logs}`);
      assert.match(execution.stateMachineAliasArn ?? "", new RegExp(`:stateMachine:${flow}:production$`));
      const actual = await runArtifacts(
        { kind: "s3", root: account.s3Root, endpoint: account.moto.directEndpoint },
        `${flow}/${runId}`,
      );
      assert.deepEqual(withoutStacks(actual), withoutStacks(expected));
      if (flow === "NestedForeachFlow") {
        // Each inner Map's ResultWriter wrote under the prefix named from that Map's input.
        const listed = await new S3Client(direct()).send(
          new ListObjectsV2Command({
            Bucket: account.bucket,
            Prefix: `flowship/${flow}/runs/${runId}/steps/per_model/`,
          }),
        );
        const manifests = (listed.Contents ?? [])
          .map((o) => o.Key!.split("/").slice(6))
          .filter((parts) => parts.at(-1) === "manifest.json")
          .map(([task, folder]) => `${task}/${folder}`);
        assert.deepEqual(manifests.sort(), ["0/map-results", "1/map-results"]);
      }
    });
  }
});

test("a failed job is FAILED with its exit code, as DescribeJobs shows it, and the retry SUCCEEDED", async () => {
  // given: ResilientFlow's start step fails its first two attempts (run above)
  const batch = new BatchClient(direct());
  const listed = await batch.send(
    new ListJobsCommand({
      jobQueue: account.jobQueue,
      filters: [{ name: "JOB_NAME", values: ["ResilientFlow-start"] }],
    }),
  );
  const ids = (listed.jobSummaryList ?? []).map((job) => job.jobId!);
  // when
  const { jobs = [] } = await batch.send(new DescribeJobsCommand({ jobs: ids }));
  // then
  const ended = jobs
    .sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))
    .map((job) => ({
      status: job.status,
      statusReason: job.statusReason,
      exitCode: job.container?.exitCode,
      attempts: job.attempts?.map((a) => [a.container?.exitCode, a.statusReason]),
      attempt: job.container?.environment?.find((e) => e.name === "FLOWSHIP_ATTEMPT")?.value,
    }));
  const reason = "Essential container in task exited";
  assert.equal(ended.length, 3);
  for (const [index, job] of ended.entries()) {
    const failed = index < 2;
    assert.equal(job.status, failed ? "FAILED" : "SUCCEEDED");
    assert.equal(job.statusReason, reason);
    assert.equal(job.exitCode === 0, !failed, `exit code ${job.exitCode}`);
    assert.deepEqual(job.attempts, [[job.exitCode, reason]]);
    assert.equal(job.attempt, String(index));
  }
  // and every request the CLI sent matches botocore's models
  const report = await account.moto.validate();
  assert.deepEqual(report.findings, []);
  assert.ok(report.checked > 0);
});

test("a Distributed Map fails when more items fail than it tolerates", async () => {
  // given: a Distributed Map over three items whose second fails, tolerating nothing, 50 % or 0 items
  const sfn = new SFNClient(direct());
  const machine = async (name: string, tolerance: object) => {
    const definition = {
      StartAt: "Each",
      States: {
        Each: {
          Type: "Map",
          ItemsPath: "$.items",
          ItemProcessor: {
            ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" },
            StartAt: "Check",
            States: {
              Check: {
                Type: "Choice",
                Choices: [{ Variable: "$", NumericEquals: 2, Next: "Bad" }],
                Default: "Good",
              },
              Bad: { Type: "Fail", Error: "Item.Bad", Cause: "item 2" },
              Good: { Type: "Pass", End: true },
            },
          },
          ...tolerance,
          End: true,
        },
      },
    };
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name,
        roleArn: `arn:aws:iam::123456789012:role/flowship-step-functions`,
        definition: JSON.stringify(definition),
      }),
    );
    return created.stateMachineArn!;
  };
  const run = async (arn: string): Promise<DescribeExecutionOutput> => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ items: [1, 2, 3] }) }),
    );
    for (let i = 0; i < 150; i++) {
      const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== "RUNNING") return execution;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${executionArn} still runs`);
  };
  // when
  const [strict, half, none] = await Promise.all(
    [
      machine("ToleratesNothing", {}),
      machine("ToleratesHalf", { ToleratedFailurePercentage: 50 }),
      machine("ToleratesNoItem", { ToleratedFailureCount: 0 }),
    ].map(async (arn) => run(await arn)),
  );
  // then
  assert.deepEqual([strict!.status, strict!.error], ["FAILED", "States.ExceedToleratedFailureThreshold"]);
  assert.equal(half!.status, "SUCCEEDED");
  assert.deepEqual([none!.status, none!.error], ["FAILED", "States.ExceedToleratedFailureThreshold"]);
});
