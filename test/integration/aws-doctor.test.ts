// `flowship aws doctor` (src/aws/account/doctor/) run as the real CLI against moto (test/helpers/moto.ts):
// a complete, healthy account made through moto's own endpoint passes every check; then each
// check is broken by a setup of its own and must fail (alone, unless the breakage reaches others),
// with its remedy. moto lacked iam:SimulatePrincipalPolicy and INVALID compute environments:
// both are patched in test/helpers/moto/patches.py as AWS documents them.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  BatchClient,
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  type JQState,
} from "@aws-sdk/client-batch";
import { CreateRepositoryCommand, ECRClient, PutImageCommand } from "@aws-sdk/client-ecr";
import {
  AddRoleToInstanceProfileCommand,
  CreateAccessKeyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DeleteRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateBucketCommand, PutBucketEncryptionCommand, S3Client } from "@aws-sdk/client-s3";
import {
  batchJobPolicy,
  deployerPolicy,
  type PolicyDocument,
  type PolicyScope,
  ROLE_POLICIES,
  type RoleKind,
  trustPolicy,
} from "../../src/aws/account/iam-policies.js";
import { type CliResult, flowshipEnv, runCli, tempDir } from "../helpers/cli.js";
import { calls, MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";

const REGION = "eu-west-1";
const BUCKET = "flowship-doctor-bucket";
const S3_ROOT = `s3://${BUCKET}/flowship`;
const role = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;
const ROLES: Record<RoleKind, string> = {
  stepFunctions: "flowship-step-functions",
  batchJob: "flowship-batch-job",
  scheduler: "flowship-scheduler",
  events: "flowship-events",
  execution: "flowship-execution",
};
const SCOPE: PolicyScope = {
  region: REGION,
  account: MOTO_ACCOUNT,
  bucket: BUCKET,
  prefix: "flowship",
  roles: Object.fromEntries(Object.entries(ROLES).map(([kind, name]) => [kind, role(name)])),
};
const IMAGE = `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/flowship-jobs:v1`;

let moto: Moto;
let dir: string;
let deployerKeys: { id: string; secret: string };
let shortDeployerKeys: { id: string; secret: string };
let clients: ReturnType<typeof directClients>;

function directClients(m: Moto) {
  const options = {
    region: REGION,
    endpoint: m.directEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  };
  return {
    iam: new IAMClient(options),
    s3: (region = REGION) => new S3Client({ ...options, region, forcePathStyle: true }),
    batch: new BatchClient(options),
    ecr: new ECRClient(options),
  };
}

const json = (document: PolicyDocument) => JSON.stringify(document);

/**
 * One EC2 query-protocol call on moto's own endpoint (flowship has no EC2 SDK client; moto checks
 * no signature unless IAM enforcement is on), returning the first value of `field` in its answer.
 */
async function ec2(action: string, params: Record<string, string>, field: string): Promise<string> {
  const response = await fetch(moto.directEndpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: action, Version: "2016-11-15", ...params }),
  });
  const text = await response.text();
  const value = new RegExp(`<${field}>([^<]+)</${field}>`).exec(text)?.[1];
  assert.ok(response.ok && value, `${action}: ${text}`);
  return value;
}

/** The generated policy without one action. */
function without(document: PolicyDocument, action: string): PolicyDocument {
  return {
    ...document,
    Statement: document.Statement.map((s) => ({
      ...s,
      Action: [s.Action].flat().filter((a) => a !== action),
    })).filter((s) => s.Action.length > 0),
  };
}

async function bucket(name: string, region: string, encrypted: boolean) {
  const s3 = clients.s3(region);
  await s3.send(
    new CreateBucketCommand({
      Bucket: name,
      ...(region === "us-east-1"
        ? {}
        : { CreateBucketConfiguration: { LocationConstraint: region as "eu-west-1" } }),
    }),
  );
  if (encrypted) {
    await s3.send(
      new PutBucketEncryptionCommand({
        Bucket: name,
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
      }),
    );
  }
}

async function user(name: string, policy: PolicyDocument) {
  await clients.iam.send(new CreateUserCommand({ UserName: name }));
  await clients.iam.send(
    new PutUserPolicyCommand({
      UserName: name,
      PolicyName: "flowship-deployer",
      PolicyDocument: json(policy),
    }),
  );
  const key = await clients.iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { id: key.AccessKey!.AccessKeyId!, secret: key.AccessKey!.SecretAccessKey! };
}

async function computeEnvironment(
  name: string,
  type: "FARGATE" | "EC2",
  serviceRole: string,
  network: { subnet: string; group: string },
) {
  await clients.batch.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: name,
      type: "MANAGED",
      state: "ENABLED",
      serviceRole,
      computeResources:
        type === "FARGATE"
          ? { type, maxvCpus: 16, subnets: [network.subnet], securityGroupIds: [network.group] }
          : {
              type,
              minvCpus: 0,
              maxvCpus: 16,
              desiredvCpus: 0,
              instanceTypes: ["m5.large"],
              instanceRole: `arn:aws:iam::${MOTO_ACCOUNT}:instance-profile/ecsInstanceRole`,
              subnets: [network.subnet],
              securityGroupIds: [network.group],
            },
    }),
  );
}

async function queue(name: string, environment: string, state: JQState = "ENABLED") {
  await clients.batch.send(
    new CreateJobQueueCommand({
      jobQueueName: name,
      state,
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment }],
    }),
  );
}

/** A complete account, every resource made as `flowship aws stack deploy` or docs/production.md would. */
async function healthyAccount() {
  await bucket(BUCKET, REGION, true);
  await bucket("flowship-doctor-us", "us-west-2", true);
  await bucket("flowship-doctor-plain", REGION, false);
  for (const [kind, name] of Object.entries(ROLES) as [RoleKind, string][]) {
    await clients.iam.send(
      new CreateRoleCommand({
        RoleName: name,
        AssumeRolePolicyDocument: json(trustPolicy(kind, MOTO_ACCOUNT)),
      }),
    );
    await clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: name,
        PolicyName: "flowship",
        PolicyDocument: json(ROLE_POLICIES[kind](SCOPE)),
      }),
    );
  }
  const batchTrust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: "batch.amazonaws.com" }, Action: "sts:AssumeRole" }],
  });
  for (const name of ["flowship-batch-service", "flowship-batch-service-gone"]) {
    await clients.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: batchTrust }));
  }
  const vpc = await ec2("CreateVpc", { CidrBlock: "10.0.0.0/16" }, "vpcId");
  const network = {
    subnet: await ec2("CreateSubnet", { VpcId: vpc, CidrBlock: "10.0.0.0/24" }, "subnetId"),
    group: await ec2(
      "CreateSecurityGroup",
      { GroupName: "flowship-batch", GroupDescription: "flowship", VpcId: vpc },
      "groupId",
    ),
  };
  // EC2 environments' instances run as an instance profile.
  await clients.iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "ecsInstanceRole" }));
  await clients.iam.send(
    new AddRoleToInstanceProfileCommand({
      InstanceProfileName: "ecsInstanceRole",
      RoleName: "flowship-batch-service",
    }),
  );
  await computeEnvironment("flowship-fargate", "FARGATE", role("flowship-batch-service"), network);
  await computeEnvironment("flowship-ec2", "EC2", role("flowship-batch-service"), network);
  // Its service role is deleted afterwards: Batch then reports the environment INVALID.
  await computeEnvironment("flowship-broken", "FARGATE", role("flowship-batch-service-gone"), network);
  await clients.iam.send(new DeleteRoleCommand({ RoleName: "flowship-batch-service-gone" }));
  await queue("flowship-queue", "flowship-fargate");
  await queue("flowship-ec2-queue", "flowship-ec2");
  await queue("flowship-disabled-queue", "flowship-fargate", "DISABLED");
  await queue("flowship-broken-queue", "flowship-broken");
  await clients.ecr.send(new CreateRepositoryCommand({ repositoryName: "flowship-jobs" }));
  await clients.ecr.send(
    new PutImageCommand({
      repositoryName: "flowship-jobs",
      imageTag: "v1",
      imageManifest: JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: {
          mediaType: "application/vnd.docker.container.image.v1+json",
          size: 1,
          digest: `sha256:${"a".repeat(64)}`,
        },
        layers: [],
      }),
    }),
  );
  deployerKeys = await user("deployer", deployerPolicy(SCOPE));
  shortDeployerKeys = await user(
    "deployer-short",
    without(deployerPolicy(SCOPE), "states:CreateStateMachine"),
  );
}

before(async () => {
  moto = await startMoto({ region: REGION });
  clients = directClients(moto);
  dir = tempDir();
  await healthyAccount();
});
after(async () => {
  await moto?.close();
});

/** Runs the doctor as the deployer, on the healthy settings with `changes` over them. */
function doctor(changes: Record<string, string | undefined> = {}, args: string[] = []): Promise<CliResult> {
  return runCli(["aws", "doctor", ...args], {
    env: flowshipEnv(dir, {
      ...moto.env,
      FLOWSHIP_CONFIG: `${dir}/absent.json`,
      AWS_ACCESS_KEY_ID: deployerKeys.id,
      AWS_SECRET_ACCESS_KEY: deployerKeys.secret,
      FLOWSHIP_AWS_REGION: REGION,
      FLOWSHIP_AWS_S3_ROOT: S3_ROOT,
      FLOWSHIP_AWS_JOB_QUEUE: "flowship-queue",
      FLOWSHIP_AWS_COMPUTE: "fargate",
      FLOWSHIP_AWS_SFN_ROLE: role(ROLES.stepFunctions),
      FLOWSHIP_AWS_BATCH_JOB_ROLE: role(ROLES.batchJob),
      FLOWSHIP_AWS_SCHEDULER_ROLE: role(ROLES.scheduler),
      FLOWSHIP_AWS_EVENTS_ROLE: role(ROLES.events),
      FLOWSHIP_AWS_EXECUTION_ROLE: role(ROLES.execution),
      FLOWSHIP_AWS_IMAGE: IMAGE,
      ...changes,
    }),
  });
}

/** The check lines of the output: symbol and the rest. */
function lines(result: CliResult): { symbol: string; text: string }[] {
  return result.stdout
    .split("\n")
    .filter((l) => /^[✔✘!-] /.test(l))
    .map((l) => ({ symbol: l[0]!, text: l.slice(2) }));
}

/** The failed lines' subjects' first words, e.g. `S3 root`, `Step Functions role`. */
function failed(result: CliResult, subjects: readonly string[]): string[] {
  return lines(result)
    .filter((l) => l.symbol === "✘")
    .map((l) => subjects.find((s) => l.text.startsWith(s)) ?? l.text);
}

const SUBJECTS = [
  "setting compute",
  "setting assignPublicIp",
  "setting fargatePlatformVersion",
  "setting image",
  "credentials and region",
  "S3 root",
  "job queue",
  "compute environments",
  "Step Functions role permissions",
  "Batch job role permissions",
  "Fargate execution role permissions",
  "Scheduler role permissions",
  "events role permissions",
  "Step Functions role",
  "Batch job role",
  "Fargate execution role",
  "Scheduler role",
  "events role",
  "deployer permissions",
  "image",
] as const;

/** The one line whose subject starts with `subject`. */
function line(result: CliResult, subject: string): { symbol: string; text: string } {
  const found = lines(result).filter(
    (l) => l.text.startsWith(subject) && !l.text.startsWith(`${subject} permissions`),
  );
  assert.equal(found.length, 1, `one '${subject}' line in:\n${result.stdout}`);
  return found[0]!;
}

/** Exit 1, exactly these checks failed, and `subject`'s line gives `remedy`. */
function assertBroken(result: CliResult, failing: string[], subject: string, found: RegExp, remedy: RegExp) {
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.deepEqual(failed(result, SUBJECTS).sort(), [...failing].sort(), result.stdout);
  const { symbol, text } = line(result, subject);
  assert.equal(symbol, "✘");
  assert.match(text, found);
  const fix = text.split(" Fix: ")[1] ?? "";
  assert.match(fix, remedy, text);
}

test("a complete account passes every check, one line each, and doctor exits 0", async () => {
  // when
  const result = await doctor();
  // then
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.equal(result.stderr, "");
  const all = lines(result);
  assert.deepEqual(
    all.filter((l) => l.symbol !== "✔"),
    [],
    result.stdout,
  );
  assert.match(
    line(result, "credentials and region").text,
    new RegExp(`account ${MOTO_ACCOUNT} as arn:aws:iam::${MOTO_ACCOUNT}:user/deployer, region ${REGION}`),
  );
  assert.match(line(result, "S3 root").text, /encrypted by default \(AES256\)/);
  assert.match(line(result, "compute environments").text, /flowship-fargate: VALID, ENABLED, FARGATE/);
  assert.match(line(result, "Step Functions role").text, /trusted by states\.amazonaws\.com/);
  assert.match(line(result, "Fargate execution role").text, /trusted by ecs-tasks\.amazonaws\.com/);
  assert.match(line(result, "deployer permissions").text, /may do all \d+ actions/);
  assert.match(line(result, "image").text, /found in flowship-jobs/);
  // 16 checks: credentials, bucket, queue, environments, 5 roles, deployer, 5 roles' permissions, image
  assert.equal(all.length, 15 + 1, result.stdout);
  assert.match(result.stdout, /The account is ready for step-functions create\.\n$/);
  // then: nothing was written to the account, and every request was well formed
  const writes = moto.requests.filter(
    (r) =>
      /^(Create|Put|Update|Delete|Attach)/.test(r.operation ?? "") ||
      (r.service === "s3" && r.method !== "GET"),
  );
  assert.deepEqual(
    writes.map((r) => `${r.service}:${r.operation ?? r.method}`),
    [],
  );
  const report = await moto.validate();
  assert.deepEqual(report.findings, []);
  assert.ok(report.checked > 0);
});

test("EC2 compute needs EC2 or Spot environments, and passes with them", async () => {
  const good = await doctor({ FLOWSHIP_AWS_COMPUTE: "ec2", FLOWSHIP_AWS_JOB_QUEUE: "flowship-ec2-queue" });
  assert.equal(good.code, 0, good.stdout);
  assert.match(
    line(good, "compute environments").text,
    /flowship-ec2: VALID, ENABLED, EC2, at most 16 vCPUs a job \(compute is ec2\)/,
  );
  const wrong = await doctor({ FLOWSHIP_AWS_COMPUTE: "ec2" });
  assertBroken(
    wrong,
    ["compute environments"],
    "compute environments",
    /flowship-fargate is FARGATE, not EC2 or SPOT/,
    /--compute fargate/,
  );
  const fargateOnEc2 = await doctor({ FLOWSHIP_AWS_JOB_QUEUE: "flowship-ec2-queue" });
  assertBroken(
    fargateOnEc2,
    ["compute environments"],
    "compute environments",
    /flowship-ec2 is EC2, not FARGATE or FARGATE_SPOT/,
    /--compute ec2/,
  );
});

test("no credentials: the first line fails with how to sign in, and nothing else is checked", async () => {
  const result = await doctor({
    AWS_ACCESS_KEY_ID: undefined,
    AWS_SECRET_ACCESS_KEY: undefined,
    AWS_SESSION_TOKEN: undefined,
  });
  assertBroken(
    result,
    ["credentials and region"],
    "credentials and region",
    /no AWS credentials found/,
    /aws sso login/,
  );
  assert.match(result.stdout, /^- the account: not checked: needs working credentials\.$/m);
});

test("refused credentials and a missing region each fail the first line", async () => {
  // given: STS refuses the key, as AWS does an unknown one (moto checks keys only with IAM enforcement on)
  moto.inject({ match: calls("sts:GetCallerIdentity"), code: "InvalidClientTokenId", status: 403, times: 1 });
  const refused = await doctor();
  assertBroken(
    refused,
    ["credentials and region"],
    "credentials and region",
    /AWS refused the credentials \(InvalidClientTokenId/,
    /aws sso login/,
  );
  const noRegion = await doctor({
    FLOWSHIP_AWS_REGION: undefined,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
  });
  assertBroken(
    noRegion,
    ["credentials and region"],
    "credentials and region",
    /no AWS region is configured/,
    /flowship configure aws --region/,
  );
});

test("the S3 root's bucket: missing, in another region, not encrypted", async () => {
  const missing = await doctor({ FLOWSHIP_AWS_S3_ROOT: "s3://flowship-doctor-missing/flowship" });
  // The deployer's and the job role's grants name the configured bucket, which is not this one.
  assertBroken(
    missing,
    ["S3 root", "deployer permissions", "Step Functions role permissions", "Batch job role permissions"],
    "S3 root",
    /bucket 'flowship-doctor-missing' does not exist/,
    /aws s3api create-bucket --bucket flowship-doctor-missing --region eu-west-1 --create-bucket-configuration LocationConstraint=eu-west-1/,
  );
  const elsewhere = await doctor({ FLOWSHIP_AWS_S3_ROOT: "s3://flowship-doctor-us/flowship" });
  assert.match(line(elsewhere, "S3 root").text, /is in us-west-2, flowship deploys to eu-west-1/);
  assert.match(line(elsewhere, "S3 root").text, /Fix: use a bucket in eu-west-1 .*--region us-west-2/);
  const plain = await doctor({ FLOWSHIP_AWS_S3_ROOT: "s3://flowship-doctor-plain/flowship" });
  assert.match(
    line(plain, "S3 root").text,
    /has no default encryption\. Fix: aws s3api put-bucket-encryption --bucket flowship-doctor-plain/,
  );
  for (const result of [elsewhere, plain]) assert.equal(result.code, 1);
});

test("the job queue: missing, DISABLED; its compute environment INVALID", async () => {
  const missing = await doctor({ FLOWSHIP_AWS_JOB_QUEUE: "flowship-nowhere" });
  assertBroken(
    missing,
    ["job queue"],
    "job queue",
    /does not exist in this region/,
    /flowship aws stack deploy.*--job-queue/,
  );
  assert.match(line(missing, "compute environments").symbol, /-/);
  // a queue ARN of another region: what create refuses, said before any look-up
  const lookups = moto.requests.filter(calls("batch:DescribeJobQueues")).length;
  const elsewhere = await doctor({
    FLOWSHIP_AWS_JOB_QUEUE: `arn:aws:batch:us-east-1:${MOTO_ACCOUNT}:job-queue/flowship-queue`,
  });
  assertBroken(
    elsewhere,
    ["job queue"],
    "job queue",
    /is a queue of us-east-1, and flows deploy to region eu-west-1: step-functions create would refuse it/,
    /--job-queue .*; or flowship configure aws --region us-east-1/,
  );
  assert.equal(moto.requests.filter(calls("batch:DescribeJobQueues")).length, lookups);
  const disabled = await doctor({ FLOWSHIP_AWS_JOB_QUEUE: "flowship-disabled-queue" });
  assertBroken(
    disabled,
    ["job queue"],
    "job queue",
    /is DISABLED: it takes no jobs/,
    /aws batch update-job-queue --job-queue flowship-disabled-queue --state ENABLED/,
  );
  const broken = await doctor({ FLOWSHIP_AWS_JOB_QUEUE: "flowship-broken-queue" });
  assertBroken(
    broken,
    ["compute environments"],
    "compute environments",
    /flowship-broken is INVALID \(CLIENT_ERROR - Role .*flowship-batch-service-gone does not exist/,
    /repair flowship-broken .*invalid_compute_environment/,
  );
});

test("a role that does not exist, and one that trusts the wrong service", async () => {
  const missing = await doctor({ FLOWSHIP_AWS_SFN_ROLE: role("flowship-nobody") });
  // The deployer's policy lets it pass the configured roles only: not this one.
  assertBroken(
    missing,
    ["Step Functions role", "deployer permissions"],
    "Step Functions role",
    /role 'flowship-nobody' does not exist/,
    /docs\/production\.md.*--sfn-role/,
  );
  assert.match(
    line(missing, "deployer permissions").text,
    /iam:PassRole on arn:aws:iam::123456789012:role\/flowship-nobody/,
  );
  // given: the Step Functions role trusts EventBridge instead (restored afterwards)
  await clients.iam.send(
    new UpdateAssumeRolePolicyCommand({
      RoleName: ROLES.stepFunctions,
      PolicyDocument: json(trustPolicy("events", MOTO_ACCOUNT)),
    }),
  );
  try {
    const wrong = await doctor();
    assertBroken(
      wrong,
      ["Step Functions role"],
      "Step Functions role",
      /states\.amazonaws\.com may not assume it: it trusts events\.amazonaws\.com/,
      /aws iam update-assume-role-policy --role-name flowship-step-functions --policy-document '\{.*"Service":"states\.amazonaws\.com"/,
    );
  } finally {
    await clients.iam.send(
      new UpdateAssumeRolePolicyCommand({
        RoleName: ROLES.stepFunctions,
        PolicyDocument: json(trustPolicy("stepFunctions", MOTO_ACCOUNT)),
      }),
    );
  }
});

test("a deployer without an action create needs is denied it by name, as the caller or named with --deployer", async () => {
  const short = await doctor({
    AWS_ACCESS_KEY_ID: shortDeployerKeys.id,
    AWS_SECRET_ACCESS_KEY: shortDeployerKeys.secret,
  });
  assertBroken(
    short,
    ["deployer permissions"],
    "deployer permissions",
    /of arn:aws:iam::123456789012:user\/deployer-short: denied 1 of \d+ actions: states:CreateStateMachine on arn:aws:states:eu-west-1:123456789012:stateMachine:\*$|states:CreateStateMachine on arn:aws:states:eu-west-1:123456789012:stateMachine:\*\./,
    /attach the deployer policy of docs\/production\.md/,
  );
  const named = await doctor({}, ["--deployer", `arn:aws:iam::${MOTO_ACCOUNT}:user/deployer-short`]);
  assertBroken(
    named,
    ["deployer permissions"],
    "deployer permissions",
    /denied 1 of \d+ actions: states:CreateStateMachine/,
    /deployer-short/,
  );
  const bad = await doctor({}, ["--deployer", "alice"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Invalid --deployer: 'alice'/);
});

test("a job role that may not write the S3 root is denied s3:PutObject by name", async () => {
  // given: the job role's policy without s3:PutObject (restored afterwards)
  const put = (document: PolicyDocument) =>
    clients.iam.send(
      new PutRolePolicyCommand({
        RoleName: ROLES.batchJob,
        PolicyName: "flowship",
        PolicyDocument: json(document),
      }),
    );
  await put(without(batchJobPolicy(SCOPE), "s3:PutObject"));
  try {
    const result = await doctor();
    assertBroken(
      result,
      ["Batch job role permissions"],
      "Batch job role permissions",
      /denied 1 of 6 actions: s3:PutObject on arn:aws:s3:::flowship-doctor-bucket\/flowship\/\*/,
      /add the Batch job role's policy of docs\/production\.md .* to role flowship-batch-job/,
    );
  } finally {
    await put(batchJobPolicy(SCOPE));
  }
});

test("the image: a private ECR tag or repository that does not exist; public images are not looked up", async () => {
  const tag = await doctor({ FLOWSHIP_AWS_IMAGE: IMAGE.replace(":v1", ":v2") });
  assertBroken(
    tag,
    ["image"],
    "image",
    /no image with tag v2 in repository 'flowship-jobs'/,
    /docker push .*flowship-jobs:v2/,
  );
  const repository = await doctor({
    FLOWSHIP_AWS_IMAGE: `${MOTO_ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/nowhere:v1`,
  });
  assertBroken(
    repository,
    ["image"],
    "image",
    /repository 'nowhere' does not exist/,
    /aws ecr create-repository --repository-name nowhere --region eu-west-1/,
  );
  // when: public images
  const before = moto.requests.length;
  const hub = await doctor({ FLOWSHIP_AWS_IMAGE: "node:22" });
  const mirror = await doctor({ FLOWSHIP_AWS_IMAGE: "public.ecr.aws/docker/library/node:22-slim" });
  // then: not checked, no ECR call, and neither fails the doctor
  assert.equal(hub.code, 0, hub.stdout);
  assert.equal(mirror.code, 0, mirror.stdout);
  assert.match(line(hub, "image").text, /on Docker Hub, not checked: Docker Hub limits anonymous pulls/);
  assert.equal(line(hub, "image").symbol, "!");
  assert.match(line(mirror, "image").text, /on ECR Public: not checked/);
  assert.equal(line(mirror, "image").symbol, "-");
  assert.deepEqual(moto.requests.slice(before).filter((r) => r.service === "ecr").length, 0);
  assert.match(hub.stdout, /The account is ready for step-functions create \(1 warning\)\./);
});

test("a setting create would refuse is a ✘ line naming it and its fix; no check guesses from it", async () => {
  for (const [variable, value, setting] of [
    ["FLOWSHIP_AWS_COMPUTE", "FARGATE", "compute"],
    ["FLOWSHIP_AWS_COMPUTE", " ", "compute"],
    ["FLOWSHIP_AWS_ASSIGN_PUBLIC_IP", "enabled", "assignPublicIp"],
    ["FLOWSHIP_AWS_FARGATE_PLATFORM_VERSION", "banana", "fargatePlatformVersion"],
    ["FLOWSHIP_AWS_IMAGE", "not an image", "image"],
  ] as const) {
    const result = await doctor({ [variable]: value });
    assertBroken(
      result,
      [`setting ${setting}`],
      `setting ${setting}`,
      new RegExp(
        `^setting ${setting}: '${value}' \\(from ${variable}\\) is not valid \\(.*\\): step-functions create would refuse it\\.`,
      ),
      new RegExp(
        `^set ${variable} to a valid value, e\\.g\\. \\S+, or unset it to use the settings file's\\.$`,
      ),
    );
    // The checks that read it say they did not, rather than check as if it were something else.
    if (setting === "compute") assert.equal(line(result, "compute environments").symbol, "-");
    if (setting === "image")
      assert.match(line(result, "image").text, /not checked: the image setting is not valid/);
  }
  // and create refuses each the same way
  const create = await runCli(["examples/parameter_flow.ts", "step-functions", "create", "--only-json"], {
    env: flowshipEnv(dir, { FLOWSHIP_CONFIG: `${dir}/absent.json`, FLOWSHIP_AWS_COMPUTE: "FARGATE" }),
  });
  assert.equal(create.code, 2, create.stderr);
  assert.match(create.stderr, /Invalid AWS setting: compute 'FARGATE'/);
});

test("a look-up that fails unexpectedly names the setting it read and the permission it needs", async () => {
  // Batch speaks REST-JSON: the request names its operation by its path.
  moto.inject({
    match: (r) => r.service === "batch" && r.url.startsWith("/v1/describejobqueues"),
    code: "ClientException",
    times: 1,
  });
  moto.inject({
    match: (r) => calls("iam:GetRole")(r) && r.body.includes(`RoleName=${ROLES.stepFunctions}`),
    code: "InvalidInput",
    times: 1,
  });
  const result = await doctor();
  assert.equal(result.code, 1, result.stdout);
  assert.equal(
    line(result, "job queue").text.split(" Fix: ")[1],
    "try again; if it persists, check the setting jobQueue (flowship configure aws --job-queue, or FLOWSHIP_AWS_JOB_QUEUE), and that the caller may batch:DescribeJobQueues.",
  );
  assert.match(
    line(result, "job queue").text,
    /could not check: batch:DescribeJobQueues failed \(ClientException: /,
  );
  assert.equal(
    line(result, "Step Functions role").text.split(" Fix: ")[1],
    "try again; if it persists, check the setting sfnRole (flowship configure aws --sfn-role, or FLOWSHIP_AWS_SFN_ROLE), and that the caller may iam:GetRole.",
  );
  assert.doesNotMatch(result.stdout, /check the setting it names/);
});

test("every request the doctor sent is valid for botocore's models", async () => {
  const report = await moto.validate();
  assert.deepEqual(report.findings, []);
  assert.deepEqual(report.skipped, []);
  assert.ok(report.checked > 50, `checked ${report.checked}`);
});
