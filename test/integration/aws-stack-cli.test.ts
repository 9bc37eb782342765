// `flowship aws stack deploy|delete` and `configure aws --from-stack`, the real CLI against moto's
// CloudFormation (test/helpers/moto.ts): a Fargate stack with a VPC of its own is created, read
// into the settings, redeployed unchanged, updated; an EC2 stack in that VPC (an existing network
// to it) is deleted and its bucket kept; a stack whose subnet does not exist fails in one line.
// Where moto differs from AWS, the comments below say how, and the test checks no more than moto
// does.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { CloudFormationClient, DescribeStackResourcesCommand } from "@aws-sdk/client-cloudformation";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { runCli, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
import { sdkClients } from "../helpers/moto-account.js";

let moto: Moto;
let env: Record<string, string>;
let configFile: string;
const SERVICE_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/batch-service`;

before(async () => {
  moto = await startMoto();
  // moto's Batch requires a compute environment's ServiceRole, which AWS makes optional (Batch's
  // service-linked role): every deploy here names one, made first.
  await sdkClients(moto).iam.send(
    new CreateRoleCommand({ RoleName: "batch-service", AssumeRolePolicyDocument: "{}" }),
  );
  configFile = path.join(tempDir(), "flowshiprc.json");
  env = { ...moto.env, FLOWSHIP_CONFIG: configFile, FLOWSHIP_AWS_REGION: "" };
});

after(() => moto?.close());

const stack = (...args: string[]) => runCli(["aws", "stack", ...args, "--poll-seconds", "0.05"], { env });
const deploy = (name: string, ...args: string[]) =>
  stack("deploy", "--name", name, "--batch-service-role", SERVICE_ROLE, ...args);

/** The outputs the deploy printed, by name. */
function printedOutputs(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}(\w+)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

async function resources(name: string): Promise<Record<string, string>> {
  const client = new CloudFormationClient({
    region: moto.region,
    endpoint: moto.directEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });
  const output = await client.send(new DescribeStackResourcesCommand({ StackName: name }));
  return Object.fromEntries(
    (output.StackResources ?? []).map((r) => [r.LogicalResourceId ?? "", r.PhysicalResourceId ?? ""]),
  );
}

test("a Fargate stack deploys, fills the settings, redeploys unchanged and updates", async () => {
  // when
  const created = await deploy("flowship", "--alerts-topic");
  // then
  assert.equal(created.code, 0, created.stderr);
  const outputs = printedOutputs(created.stdout);
  assert.deepEqual(Object.keys(outputs).sort(), [
    "BatchJobRole",
    "Compute",
    "DeployerPolicy",
    "EventsRole",
    "ExecutionRole",
    "JobQueue",
    "NotifySnsTopic",
    "Region",
    "S3Root",
    "SchedulerRole",
    "SfnRole",
  ]);
  assert.equal(outputs.Compute, "fargate");
  assert.equal(outputs.SfnRole, `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-step-functions`);
  assert.equal(outputs.ExecutionRole, `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-execution`);
  assert.match(outputs.S3Root!, /^s3:\/\/[a-z0-9.-]+\/flowship$/);
  assert.match(created.stdout, /configure aws --from-stack flowship/);

  // when: the settings come from the stack
  const configured = await runCli(["configure", "aws", "--from-stack", "flowship"], {
    env: { ...env, AWS_REGION: moto.region },
  });
  // then: every output that names a setting, written as configure aws writes settings
  assert.equal(configured.code, 0, configured.stderr);
  const written = (JSON.parse(fs.readFileSync(configFile, "utf8")) as { aws: Record<string, string> }).aws;
  const { AWS_SETTINGS } = await import("../../src/aws/deploy/aws-settings.js");
  const { OUTPUT_SETTINGS } = await import("../../src/aws/account/stack-template.js");
  const expected = Object.fromEntries(
    Object.entries(outputs)
      .map(([output, value]) => [OUTPUT_SETTINGS[output as keyof typeof OUTPUT_SETTINGS], value])
      .filter(([setting]) => setting !== undefined && setting in AWS_SETTINGS),
  );
  assert.deepEqual(written, expected);
  for (const setting of [
    "region",
    "jobQueue",
    "s3Root",
    "batchJobRole",
    "sfnRole",
    "schedulerRole",
    "eventsRole",
    "notifySnsTopic",
  ]) {
    assert.ok(written[setting], setting);
  }

  // when: the same options again
  const again = await deploy("flowship", "--alerts-topic");
  // then
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^Stack flowship in eu-west-1 is up to date: no changes to deploy\.$/m);

  // when: more vCPUs
  const updated = await deploy("flowship", "--alerts-topic", "--max-vcpus", "128");
  // then: the update goes through (moto 5.2.5 accepts an update of AWS::Batch::ComputeEnvironment
  // but does not apply it — it has no update_from_cloudformation_json — so the compute
  // environment's maxvCpus is not read back here)
  assert.equal(updated.code, 0, updated.stderr);
  assert.match(updated.stdout, /^Stack flowship updated in eu-west-1\./m);
  assert.match(updated.stderr, /Updating stack flowship \(change set flowship-\d+\)/);
  assert.deepEqual(printedOutputs(updated.stdout), outputs);
});

test("a stack in an existing network is deleted and its bucket kept, or deleted with --delete-bucket", async () => {
  // given: the network of the stack above, an existing one to these stacks
  const network = await resources("flowship");
  const existing = [
    "--vpc-id",
    network.Vpc!,
    "--subnet-ids",
    `${network.SubnetA},${network.SubnetB}`,
    "--security-group-id",
    network.SecurityGroup!,
  ];
  for (const name of ["team", "scratch"]) {
    const created = await deploy(name, "--compute", "ec2", ...existing);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(printedOutputs(created.stdout).Compute, "ec2");
  }
  const { s3 } = sdkClients(moto);
  const teamBucket = (await resources("team")).Bucket!;
  const scratchBucket = (await resources("scratch")).Bucket!;
  await s3.send(new PutObjectCommand({ Bucket: scratchBucket, Key: "flowship/a", Body: "x" }));

  // when
  const kept = await stack("delete", "--name", "team");
  const removed = await stack("delete", "--name", "scratch", "--delete-bucket");
  const absent = await stack("delete", "--name", "team");
  // then
  assert.equal(kept.code, 0, kept.stderr);
  assert.match(
    kept.stdout,
    new RegExp(`^Deleted stack team in eu-west-1\\.\\nKept bucket ${teamBucket} `, "m"),
  );
  await s3.send(new HeadBucketCommand({ Bucket: teamBucket }));
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`^Deleted bucket ${scratchBucket} and its 1 object\\.$`, "m"));
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: scratchBucket })));
  assert.equal(absent.code, 0, absent.stderr);
  assert.match(absent.stdout, /^No stack named team in eu-west-1: nothing to delete\.$/m);
});

test("a deploy that fails says why in one line and exits 1", async () => {
  // when: a subnet that does not exist
  const failed = await deploy(
    "broken",
    "--vpc-id",
    "vpc-0a1b2c3d",
    "--subnet-ids",
    "subnet-0a1b2c3d",
    "--security-group-id",
    "sg-0a1b2c3d",
  );
  // then: moto 5.2.5 creates a change set's resources inside ExecuteChangeSet and answers a
  // failing one with that call's error (AWS fails the resource and reports it in the stack's
  // events, which stack-deploy.test.ts covers); either way one line, exit 1
  assert.equal(failed.code, 1, failed.stdout);
  const errors = failed.stderr.split("\n").filter((line) => line.startsWith("error:"));
  assert.equal(errors.length, 1, failed.stderr);
  assert.match(errors[0]!, /broken/);
});

test("usage errors before any AWS call", async () => {
  const before = moto.requests.length;
  for (const args of [
    ["deploy", "--name", "x", "--compute", "gpu"],
    ["deploy", "--name", "x", "--vpc-id", "vpc-0a1b2c3d"],
    ["deploy", "--name", "x", "--max-vcpus", "lots"],
    ["deploy", "--name", "x_y"],
    ["delete"],
  ]) {
    const result = await stack(...args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr.trim().split("\n").length, 1, result.stderr);
  }
  assert.equal(moto.requests.length, before);
});

test("every request the CLI sent matches botocore's models", async () => {
  const report = await moto.validate();
  assert.deepEqual(report.findings, []);
});
