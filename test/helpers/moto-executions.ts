/**
 * Deployed flows executed by a second, independent Step Functions: moto's own interpreter (a port
 * of LocalStack's), with each Batch job running its registered command in the sandbox `simulate`
 * uses (test/helpers/moto/batch_sandbox.py). A flow is deployed with the real CLI
 * (`step-functions create`), started on its `production` alias with `step-functions trigger`, and
 * followed with DescribeExecution until it ends.
 */
import path from "node:path";
import { BatchClient, CreateComputeEnvironmentCommand, CreateJobQueueCommand } from "@aws-sdk/client-batch";
import { CreateRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, type DescribeExecutionOutput, SFNClient } from "@aws-sdk/client-sfn";
import { type CliResult, flowshipEnv, runCli } from "./cli.js";
import { MOTO_ACCOUNT, type Moto, startMoto } from "./moto.js";
import { logsCall } from "./moto-events.js";

/** An account in moto that `step-functions create` can deploy into and whose jobs run. */
export interface MotoAccount {
  moto: Moto;
  bucket: string;
  s3Root: string;
  jobQueue: string;
  /** Environment of a CLI child process: moto's endpoint and credentials, every deploy setting. */
  env: NodeJS.ProcessEnv;
  close(): Promise<void>;
}

const role = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;

function clientOptions(moto: Moto) {
  return {
    region: moto.region,
    endpoint: moto.directEndpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
}

/**
 * Starts moto with its interpreter and sandboxed Batch jobs, and makes the bucket and the job
 * queue a deployment needs. `localRoot` is the CLI's local datastore (unused by production runs).
 */
export async function startMotoAccount(localRoot: string): Promise<MotoAccount> {
  const moto = await startMoto({
    config: { stepfunctions: { execute_state_machine: true } },
    batchSandbox: true,
  });
  const bucket = "flowship-runs";
  const jobQueue = "flowship-queue";
  await new S3Client(clientOptions(moto)).send(
    new CreateBucketCommand({
      Bucket: bucket,
      CreateBucketConfiguration: { LocationConstraint: moto.region as "eu-west-1" },
    }),
  );
  // moto asks for the compute environment's service role (AWS would use its service-linked one).
  const serviceRole = await new IAMClient(clientOptions(moto)).send(
    new CreateRoleCommand({
      RoleName: "flowship-batch-service",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Principal: { Service: "batch.amazonaws.com" }, Action: "sts:AssumeRole" },
        ],
      }),
    }),
  );
  const batch = new BatchClient(clientOptions(moto));
  const environment = await batch.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: "flowship-ce",
      type: "UNMANAGED",
      serviceRole: serviceRole.Role!.Arn!,
    }),
  );
  await batch.send(
    new CreateJobQueueCommand({
      jobQueueName: jobQueue,
      state: "ENABLED",
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment.computeEnvironmentArn! }],
    }),
  );
  const s3Root = `s3://${bucket}/flowship`;
  const env = flowshipEnv(localRoot, {
    ...moto.env,
    // No settings file: every setting comes from the variables below.
    FLOWSHIP_CONFIG: path.join(localRoot, "no-settings.json"),
    FLOWSHIP_USER: "alice",
    FLOWSHIP_AWS_REGION: moto.region,
    FLOWSHIP_AWS_JOB_QUEUE: jobQueue,
    FLOWSHIP_AWS_S3_ROOT: s3Root,
    FLOWSHIP_AWS_BATCH_JOB_ROLE: role("flowship-batch-job"),
    FLOWSHIP_AWS_SFN_ROLE: role("flowship-step-functions"),
  });
  return { moto, bucket, s3Root, jobQueue, env, close: () => moto.close() };
}

/** `flowship <file> step-functions create [args]`: deploys the flow and makes it production. */
export function deployFlow(account: MotoAccount, file: string, args: string[] = []): Promise<CliResult> {
  return runCli([file, "step-functions", "create", ...args], { env: account.env });
}

export interface FinishedExecution {
  runId: string;
  execution: DescribeExecutionOutput;
  /** The output of every Batch job of the execution, when it failed (for the test's message). */
  logs: string;
}

/**
 * `flowship <file> step-functions trigger [args]` (an execution on the `production` alias), then
 * DescribeExecution until the execution ends or `timeoutMs` passes.
 */
export async function triggerAndWait(
  account: MotoAccount,
  file: string,
  machine: string,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<FinishedExecution> {
  const triggered = await runCli([file, "step-functions", "trigger", ...args], { env: account.env });
  if (triggered.code !== 0) throw new Error(`trigger failed (${triggered.code}):\n${triggered.stderr}`);
  return waitForRun(account, machine, triggered.stdout.trim(), timeoutMs);
}

/** DescribeExecution of run `sfn-<name>` of state machine `machine` until it ends or `timeoutMs` passes. */
export async function waitForRun(
  account: MotoAccount,
  machine: string,
  runId: string,
  timeoutMs = 60_000,
): Promise<FinishedExecution> {
  const name = runId.replace(/^sfn-/, "");
  const executionArn = `arn:aws:states:${account.moto.region}:${MOTO_ACCOUNT}:execution:${machine}:${name}`;
  const sfn = new SFNClient(clientOptions(account.moto));
  const deadline = Date.now() + timeoutMs;
  let execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  while (execution.status === "RUNNING" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  }
  const logs = execution.status === "SUCCEEDED" ? "" : await jobLogs(account.moto);
  return { runId, execution, logs };
}

/** Every Batch job's output moto holds (CloudWatch Logs, /aws/batch/job), for a failure's message. */
async function jobLogs(moto: Moto): Promise<string> {
  const logGroupName = "/aws/batch/job";
  const streams = await logsCall(moto, "DescribeLogStreams", { logGroupName });
  const parts: string[] = [];
  for (const { logStreamName } of streams.logStreams ?? []) {
    const events = await logsCall(moto, "GetLogEvents", { logGroupName, logStreamName });
    parts.push(`--- ${logStreamName}`, ...(events.events ?? []).map((e: { message: string }) => e.message));
  }
  return parts.join("\n").slice(-8000);
}
