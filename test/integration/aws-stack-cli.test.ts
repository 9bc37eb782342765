// `flowship aws stack deploy|delete` and `configure aws --from-stack`, the real CLI against moto's
// CloudFormation (test/helpers/moto.ts): a Fargate stack with a VPC of its own is created, read
// into the settings, redeployed unchanged, updated; an EC2 stack in that VPC (an existing network
// to it) is deleted and its bucket kept; a stack whose subnet does not exist fails in one line.
// Where moto differs from AWS, the comments below say how, and the test checks no more than moto
// does.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import {
  AttachUserPolicyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  DetachUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { HeadBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { BIN, type CliResult, REPO, runCli, tempDir } from "../helpers/cli.js";
import { callName, calls, MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
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

const stack = (...args: string[]) => runCli(["aws", "stack", ...args, "--poll-seconds", "0.1"], { env });
const deploy = (name: string, ...args: string[]) =>
  stack("deploy", "--name", name, "--batch-service-role", SERVICE_ROLE, ...args);

/** The outputs the deploy printed, by name. */
function printedOutputs(stdout: string): Record<string, string> {
  return Object.fromEntries([...stdout.matchAll(/^ {2}(\w+)\s+(\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
}

/** CloudFormation at moto itself, for the tests' own set-up and look-ups. */
const cloudFormation = () =>
  new CloudFormationClient({
    region: moto.region,
    endpoint: moto.directEndpoint,
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  });

/** The stack's status at moto, or undefined when there is none. */
async function stackStatus(name: string): Promise<string | undefined> {
  const output = await cloudFormation()
    .send(new DescribeStacksCommand({ StackName: name }))
    .catch(() => undefined);
  return output?.Stacks?.[0]?.StackStatus;
}

/** The lines of stderr that report an error (`error: …`). */
const errorLines = (result: CliResult) =>
  result.stderr.split("\n").filter((line) => line.startsWith("error:"));

async function resources(name: string): Promise<Record<string, string>> {
  const client = cloudFormation();
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
  // every next step, in order: the settings, the deployer policy by its ARN, the doctor
  const next = created.stdout.slice(created.stdout.indexOf("Next:")).split("\n").slice(1, 4);
  assert.match(next[0]!, /^ {2}1\. flowship configure aws --from-stack flowship$/);
  assert.ok(next[1]!.startsWith("  2. attach the deployer policy"), next[1]);
  assert.ok(next[1]!.includes(`--policy-arn ${outputs.DeployerPolicy}`), next[1]);
  assert.equal(next[2], "  3. flowship aws doctor");
  // the stack is followed by the id CreateChangeSet answered, never by its name again
  const sent = moto.requests.filter((r) => r.service === "cloudformation");
  const createdAt = sent.findIndex((r) => r.operation === "CreateChangeSet");
  const follows = sent
    .slice(createdAt + 1)
    .filter((r) => ["DescribeStacks", "DescribeStackEvents", "DescribeChangeSet"].includes(r.operation!));
  assert.ok(follows.length > 0);
  for (const request of follows) {
    assert.match(
      new URLSearchParams(request.body).get("StackName") ?? "",
      /^arn:aws:cloudformation:eu-west-1:123456789012:stack\/flowship\//,
      request.body,
    );
  }

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
  assert.ok(kept.stdout.includes(`aws s3 rb --force s3://${teamBucket}`), kept.stdout);
  await s3.send(new HeadBucketCommand({ Bucket: teamBucket }));
  assert.equal(removed.code, 0, removed.stderr);
  assert.match(removed.stdout, new RegExp(`^Deleted bucket ${scratchBucket} and its 1 object\\.$`, "m"));
  await assert.rejects(s3.send(new HeadBucketCommand({ Bucket: scratchBucket })));
  assert.equal(absent.code, 0, absent.stderr);
  assert.match(absent.stdout, /^No stack named team in eu-west-1: nothing to delete\.$/m);

  // when: --delete-bucket where no stack of that name ever kept one (a stack deleted earlier is
  // looked up by its id, which moto 5.2.5 answers by making its resources again: covered with a
  // mocked CloudFormation in stack-delete.test.ts)
  const never = await stack("delete", "--name", "never", "--delete-bucket");
  // then
  assert.equal(never.code, 0, never.stderr);
  assert.match(
    never.stdout,
    /^--delete-bucket deleted nothing: no stack named never was deleted with a bucket it kept\.$/m,
  );
});

test("a stack flowship did not make is never deleted, nor replaced by a deploy", async () => {
  // given: another team's stack
  await cloudFormation().send(
    new CreateStackCommand({
      StackName: "orders-db",
      TemplateBody: JSON.stringify({
        Description: "orders database",
        Resources: { Topic: { Type: "AWS::SNS::Topic" } },
        Outputs: { Topic: { Value: { Ref: "Topic" } } },
      }),
    }),
  );
  const deletes = moto.requests.filter(calls("cloudformation:DeleteStack")).length;
  // when
  const refused = await stack("delete", "--name", "orders-db", "--delete-bucket");
  // then: one line naming the stack and why, exit 1, no DeleteStack, the stack still there
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(errorLines(refused).length, 1, refused.stderr);
  assert.match(
    errorLines(refused)[0]!,
    /^error: Not deleting stack 'orders-db': it is not a flowship account stack/,
  );
  assert.equal(moto.requests.filter(calls("cloudformation:DeleteStack")).length, deletes);
  assert.equal(await stackStatus("orders-db"), "CREATE_COMPLETE");

  // when: a deploy of that name, which would replace the stack's template and so every resource
  const changeSets = moto.requests.filter(calls("cloudformation:CreateChangeSet")).length;
  const overwrite = await deploy("orders-db");
  // then: refused in one line before any change set; the stack keeps its topic
  assert.equal(overwrite.code, 1, overwrite.stderr);
  assert.equal(errorLines(overwrite).length, 1, overwrite.stderr);
  assert.match(
    errorLines(overwrite)[0]!,
    /^error: Not deploying to stack 'orders-db': it is a stack flowship did not make/,
  );
  assert.equal(moto.requests.filter(calls("cloudformation:CreateChangeSet")).length, changeSets);
  assert.deepEqual(Object.keys(await resources("orders-db")), ["Topic"]);
});

test("a stack whose deployer policy is still attached is not deleted", async () => {
  // given: the deployer policy of the stack of the first test, attached to a user
  const outputs = (await cloudFormation().send(new DescribeStacksCommand({ StackName: "flowship" })))
    .Stacks![0]!.Outputs!;
  const policy = outputs.find((o) => o.OutputKey === "DeployerPolicy")!.OutputValue!;
  const { iam } = sdkClients(moto);
  await iam.send(new CreateUserCommand({ UserName: "alice" }));
  await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: policy }));
  const deletes = moto.requests.filter(calls("cloudformation:DeleteStack")).length;
  // when
  const refused = await stack("delete", "--name", "flowship");
  // then
  assert.equal(refused.code, 1, refused.stderr);
  assert.equal(errorLines(refused).length, 1, refused.stderr);
  assert.ok(
    errorLines(refused)[0]!.includes(`deployer policy ${policy} is attached to user alice`),
    refused.stderr,
  );
  assert.equal(moto.requests.filter(calls("cloudformation:DeleteStack")).length, deletes);
  assert.match((await stackStatus("flowship"))!, /^(CREATE|UPDATE)_COMPLETE$/);
  await iam.send(new DetachUserPolicyCommand({ UserName: "alice", PolicyArn: policy }));
});

/**
 * Runs the CLI, and sends it SIGINT once moto has received a request of `operation` (which the
 * test's delay holds there).
 */
function interrupted(args: string[], operation: string): Promise<CliResult> {
  const before = moto.requests.length;
  const child = spawn(process.execPath, [BIN, "aws", "stack", ...args, "--poll-seconds", "0.1"], {
    cwd: REPO,
    env: { ...process.env, FORCE_COLOR: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const poll = setInterval(() => {
    if (moto.requests.slice(before).some((r) => callName(r) === operation)) {
      clearInterval(poll);
      child.kill("SIGINT");
    }
  }, 20);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

async function settled(name: string): Promise<string | undefined> {
  for (;;) {
    const status = await stackStatus(name);
    if (!status?.endsWith("_IN_PROGRESS") || status === "REVIEW_IN_PROGRESS") return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test("Ctrl-C says where the stack stands and what to run next, and exits 130", async () => {
  const last = (result: CliResult) => result.stderr.trim().split("\n").pop()!;
  const args = ["--batch-service-role", SERVICE_ROLE];

  // when: interrupted while CloudFormation computes the change set of a new stack
  moto.delay({ match: calls("cloudformation:DescribeChangeSet"), ms: 2000, times: 1 });
  const review = await interrupted(
    ["deploy", "--name", "review", ...args],
    "cloudformation:DescribeChangeSet",
  );
  // then
  assert.equal(review.code, 130, review.stderr);
  assert.match(
    last(review),
    /^Interrupted: change set flowship-\d+ of stack review was created but not executed, so the stack is unchanged\. Run `flowship aws stack deploy --name review` again, or `flowship aws stack delete --name review` to drop the empty stack\.$/,
  );

  // when: interrupted once the change set is executing
  moto.delay({ match: calls("cloudformation:ExecuteChangeSet"), ms: 2000, times: 1 });
  const executing = await interrupted(
    ["deploy", "--name", "held", ...args],
    "cloudformation:ExecuteChangeSet",
  );
  // then: CloudFormation goes on, and the stack is made
  assert.equal(executing.code, 130, executing.stderr);
  assert.match(
    last(executing),
    /^Interrupted: CloudFormation is still deploying stack held \(change set flowship-\d+\); it goes on without flowship\. Follow it with `aws cloudformation describe-stack-events --stack-name held`; once it settles, run `flowship aws stack deploy --name held` again/,
  );
  for (let i = 0; i < 50 && (await settled("held")) !== "CREATE_COMPLETE"; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.equal(await settled("held"), "CREATE_COMPLETE");

  // when: interrupted while the stack is deleted
  const bucket = (await resources("held")).Bucket!;
  moto.delay({ match: calls("cloudformation:DeleteStack"), ms: 2000, times: 1 });
  const deleting = await interrupted(
    ["delete", "--name", "held", "--delete-bucket"],
    "cloudformation:DeleteStack",
  );
  // then: the bucket it keeps is named
  assert.equal(deleting.code, 130, deleting.stderr);
  assert.equal(
    last(deleting),
    `Interrupted: CloudFormation is still deleting stack held; it goes on without flowship. Follow it with \`aws cloudformation describe-stack-events --stack-name held\`. Its bucket ${bucket} is kept: delete it later with \`aws s3 rb --force s3://${bucket}\`.`,
  );
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
  const network = ["--vpc-id", "vpc-0a1b2c3d", "--security-group-id", "sg-0a1b2c3d"];
  for (const [args, problem] of [
    [["deploy", "--name", "x", "--compute", "gpu"], /--compute/],
    [["deploy", "--name", "x", "--vpc-id", "vpc-0a1b2c3d"], /^Incomplete network/],
    [["deploy", "--name", "x", "--max-vcpus", "lots"], /--max-vcpus/],
    [["deploy", "--name", "x_y"], /--name 'x_y'/],
    [["delete"], /--name/],
    [["deploy", "--name", "x", "--region", "eu west 1"], /^Invalid --region 'eu west 1'/],
    [["delete", "--name", "x", "--region", "eu west 1"], /^Invalid --region 'eu west 1'/],
    [["deploy", "--name", "x", "--poll-seconds", "1e7"], /^Invalid --poll-seconds '1e7'/],
    [["delete", "--name", "x", "--poll-seconds", "0.01"], /^Invalid --poll-seconds '0.01'/],
    [["delete", "--name", "x", "--timeout-minutes", "0"], /^Invalid --timeout-minutes '0'/],
    [["deploy", "--name", "x", "--bucket", "192.168.1.1"], /^Invalid --bucket: '192\.168\.1\.1'/],
    [["deploy", "--name", "x", "--bucket", "a.-b"], /^Invalid --bucket: 'a\.-b'/],
    [["deploy", "--name", "x", "--bucket", "abc-s3alias"], /^Invalid --bucket: 'abc-s3alias'/],
    [["deploy", "--name", "x", "--bucket", "abc--ol-s3"], /^Invalid --bucket: 'abc--ol-s3'/],
    [["deploy", "--name", "x", "--bucket", "sthree-abc"], /^Invalid --bucket: 'sthree-abc'/],
    [
      ["deploy", "--name", "x", ...network, "--subnet-ids", "subnet-0a1b2c3d,subnet-0a1b2c3d"],
      /--subnet-ids/,
    ],
    [
      [
        "deploy",
        "--name",
        "x",
        ...network,
        "--subnet-ids",
        Array.from({ length: 17 }, (_, i) => `subnet-${String(i).padStart(8, "0")}`).join(","),
      ],
      /^Invalid --subnet-ids: '17 subnets'\. Give at most 16 subnets, Fargate's limit/,
    ],
    [["deploy", "--name", "x", "--name", "y"], /^Option --name given twice, as 'x' and as 'y'/],
    [["deploy", "--name", "x", "--compute", "ec2", "--compute", "fargate"], /^Option --compute given twice/],
    [["print", "--compute=ec2", "--compute", "spot"], /^Option --compute given twice/],
  ] as [string[], RegExp][]) {
    const result = await runCli(["aws", "stack", ...args], { env });
    const what = `${args.join(" ")}: ${result.stderr}`;
    assert.equal(result.code, 2, what);
    const lines = result.stderr.trim().split("\n");
    assert.equal(lines.length, 1, what);
    const message = lines[0]!.replace(/^error: /, "");
    assert.match(message, problem, what);
    // the subcommand's help, and one period at a time
    assert.ok(message.endsWith(`Run flowship aws stack ${args[0]} --help.`), what);
    assert.doesNotMatch(message, /\.\./, what);
  }
  // a region not given as --region is checked too, naming where it came from
  const mars = await runCli(["aws", "stack", "deploy", "--name", "x"], {
    env: { ...env, FLOWSHIP_AWS_REGION: "mars" },
  });
  assert.equal(mars.code, 2);
  assert.equal(
    mars.stderr,
    "error: Invalid AWS region 'mars' from FLOWSHIP_AWS_REGION: give an AWS region such as eu-west-1 there, or --region. Run flowship aws stack deploy --help.\n",
  );
  // another tool's word for deploy gets deploy as the hint
  const create = await runCli(["aws", "stack", "create", "--name", "x"], { env });
  assert.equal(create.code, 2);
  assert.equal(
    create.stderr,
    "error: Unknown command 'create' (did you mean deploy?). Run flowship aws stack --help.\n",
  );
  // commander's own message ends with a period of its own
  const format = await runCli(["aws", "stack", "print", "--format", "xml"], { env });
  assert.equal(format.code, 2);
  assert.equal(
    format.stderr,
    "error: Option '--format <format>' argument 'xml' is invalid. Allowed choices are json, yaml. Run flowship aws stack print --help.\n",
  );
  // no subcommand: the help, exit 2, as `flowship aws`
  const bare = await runCli(["aws", "stack"], { env });
  assert.equal(bare.code, 2);
  assert.match(bare.stdout, /^Usage: flowship aws stack \[options\] \[command\]/);
  assert.match(bare.stdout, /^ {2}delete \[options\]/m);
  assert.equal(moto.requests.length, before);
});

test("AWS errors of the stack commands say what to look at, in one line", async () => {
  // given: CloudFormation refuses the change set, then denies it
  moto.inject({
    match: calls("cloudformation:CreateChangeSet"),
    code: "ValidationError",
    message: "Template format error.",
    times: 1,
  });
  moto.inject({
    match: calls("cloudformation:CreateChangeSet"),
    code: "AccessDenied",
    message: "not authorized",
    times: 1,
  });
  // when
  const invalid = await deploy("refused");
  const denied = await deploy("refused");
  // then
  assert.equal(invalid.code, 1, invalid.stderr);
  assert.deepEqual(errorLines(invalid), [
    "error: AWS call cloudformation:CreateChangeSet failed for 'refused': ValidationError: Template format error. See the stack's events in the CloudFormation console or with `aws cloudformation describe-stack-events --stack-name refused --region eu-west-1`.",
  ]);
  assert.equal(denied.code, 1, denied.stderr);
  assert.match(
    errorLines(denied)[0]!,
    /Grant cloudformation:CreateChangeSet to the identity running flowship aws stack \(an administrator: the stack makes IAM roles\)\.$/,
  );

  // given: something other than AWS answers (a proxy's error page)
  const page = http.createServer((_, res) => {
    res.writeHead(502, { "content-type": "text/html" });
    res.end("<html><body><h1>502 Bad Gateway</h1></body></html>");
  });
  await new Promise<void>((resolve) => page.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  try {
    // when
    const result = await runCli(["aws", "stack", "delete", "--name", "flowship"], {
      env: { ...env, AWS_ENDPOINT_URL: endpoint, AWS_MAX_ATTEMPTS: "1" },
    });
    // then
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      "error: AWS call cloudformation:DescribeStacks failed for 'flowship': unexpected answer from cloudformation (HTTP 502, not XML). Check that nothing between flowship and AWS (a proxy, AWS_ENDPOINT_URL) answers instead of AWS, and try again.\n",
    );
  } finally {
    page.close();
  }
});

test("every request the CLI sent matches botocore's models", async () => {
  const report = await moto.validate();
  assert.deepEqual(report.findings, []);
});
