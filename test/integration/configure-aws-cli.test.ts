// `flowship configure aws` through the real binary, as a new user and a hostile tester meet it:
// a settings file in a missing folder, one that cannot be written, a device for a file, settings
// of the wrong JSON type; `--from-stack` on stacks that are not flowship's (or not finished), on
// a stack name that cannot be one, without a region, and switching from one stack to another;
// and --debug, which every standalone command takes. Stacks are made on moto's CloudFormation
// directly (test/helpers/moto.ts) with the outputs a flowship stack has, or none.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  CreateStackCommand,
  DescribeStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { BIN, type CliResult, flowshipEnv, runCli, runCommand, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT, type Moto, startMoto, VENV_PYTHON } from "../helpers/moto.js";

const dir = tempDir("flowship-configure-");
const role = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/${name}`;

/** An environment with no AWS settings but those given, and its own settings file. */
function envOf(file: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = flowshipEnv(path.join(dir, ".flowship"), {
    FLOWSHIP_CONFIG: file,
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    FLOWSHIP_DEBUG: undefined,
    ...extra,
  });
  for (const key of Object.keys(env)) if (key.startsWith("FLOWSHIP_AWS_") && !(key in extra)) delete env[key];
  return env;
}

function configure(file: string, args: string[], extra: Record<string, string | undefined> = {}) {
  return runCli(["configure", "aws", ...args], { env: envOf(file, extra), killAfterMs: 60_000 });
}

/** One line on stderr, `error: …`, no stack, and the exit code. */
function assertOneLine(result: CliResult, code: number, message: RegExp) {
  assert.equal(result.code, code, result.stdout + result.stderr);
  assert.equal(result.stderr.split("\n").filter(Boolean).length, 1, result.stderr);
  assert.match(result.stderr, /^error: /);
  assert.match(result.stderr, message);
  assert.doesNotMatch(result.stderr, /Internal error|\n\s+at /);
}

const written = (file: string) =>
  JSON.parse(fs.readFileSync(file, "utf8")) as { aws: Record<string, string> };

describe("configure aws and its settings file", () => {
  test("a settings file in a folder that does not exist is written there, readable by its owner only", async () => {
    const file = path.join(dir, "missing", "folder", "rc.json");
    const result = await configure(file, ["--region", "eu-west-1"]);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(written(file).aws, { region: "eu-west-1" });
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  test("at a terminal, answers typed ahead are kept and a bad one is asked again, not lost at the end", async () => {
    // given: a real terminal (Python's pty) and every answer typed at once, one of them invalid
    const file = path.join(dir, "asked.json");
    const answers = ["eu-west-1", "my-queue", "s3://b/x", "s3://my-bucket/flowship/", ...Array(20).fill("")];
    // when
    const result = await runCommand(
      VENV_PYTHON,
      [
        "-c",
        "import os,pty,sys; sys.exit(os.waitstatus_to_exitcode(pty.spawn(sys.argv[1:])))",
        process.execPath,
        BIN,
        "configure",
        "aws",
      ],
      { input: answers.map((a) => `${a}\n`).join(""), env: envOf(file), killAfterMs: 15_000 },
    );
    // then
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(
      result.stdout,
      /Invalid S3 datastore root: 's3:\/\/b\/x' \(e\.g\. s3:\/\/my-bucket\/flowship\)\. Give another, or press Enter to keep \[e\.g\. s3:\/\/my-bucket\/flowship\]\./,
    );
    assert.deepEqual(written(file).aws, {
      region: "eu-west-1",
      jobQueue: "my-queue",
      s3Root: "s3://my-bucket/flowship",
    });
    // with no settings yet, where the account's resources can come from
    assert.match(
      result.stdout,
      /No account set up yet\? 'flowship aws stack deploy --name flowship' makes one/,
    );
  });

  test("a settings file that cannot be written is one line naming it and why; it is left as it was", async (t) => {
    // given: an immutable file (as root), else a file in a read-only folder
    const folder = path.join(dir, "locked");
    fs.mkdirSync(folder);
    const file = path.join(folder, "rc.json");
    fs.writeFileSync(file, `${JSON.stringify({ aws: { region: "eu-west-1" } })}\n`, { mode: 0o600 });
    let unlock: () => void;
    try {
      execFileSync("chattr", ["+i", file], { stdio: "ignore" });
      unlock = () => execFileSync("chattr", ["-i", file]);
    } catch {
      if (process.getuid?.() === 0) {
        t.skip("neither chattr +i nor a read-only folder stops root here");
        return;
      }
      fs.chmodSync(folder, 0o500);
      unlock = () => fs.chmodSync(folder, 0o700);
    }
    try {
      // when
      const result = await configure(file, ["--region", "eu-west-2"]);
      // then
      assertOneLine(
        result,
        1,
        /^error: Cannot write the settings file '.*rc\.json': (operation not permitted \(EPERM\)|permission denied \(EACCES\))\. Fix it, or point FLOWSHIP_CONFIG at a file you can write\.\n$/,
      );
      assert.deepEqual(written(file).aws, { region: "eu-west-1" });
      assert.deepEqual(fs.readdirSync(folder), ["rc.json"]);
    } finally {
      unlock();
    }
  });

  test("a device or a folder as the settings file is refused at once (exit 2), not read forever", async () => {
    for (const file of ["/dev/full", "/dev/zero", dir]) {
      const result = await configure(file, ["--region", "eu-west-1"]);
      assertOneLine(
        result,
        2,
        new RegExp(`^error: The settings file is not a regular file: '${file}' \\((a device|a folder)\\)\\.`),
      );
    }
  });

  test("settings of the wrong JSON type, or of an unknown name, are refused by name, file and expected type (exit 2)", async () => {
    for (const [content, message] of [
      [
        { aws: { compute: ["fargate"] } },
        /Invalid setting 'aws\.compute' in '.*': an array, expected a string/,
      ],
      [{ aws: { region: 5 } }, /Invalid setting 'aws\.region' in '.*': a number 5, expected a string/],
      [[1, 2], /Invalid settings file: '.*' holds an array, expected a JSON object/],
      [{ aws: "x" }, /Invalid setting 'aws' in '.*': a string 'x', expected an object of settings/],
      [{ aws: { regoin: "eu-west-1" } }, /Unknown setting 'aws\.regoin' in '.*' \(did you mean 'region'\?\)/],
    ] as const) {
      const file = path.join(dir, `typed-${Math.random().toString(36).slice(2)}.json`);
      fs.writeFileSync(file, JSON.stringify(content));
      const result = await configure(file, ["--region", "eu-west-1"]);
      assertOneLine(result, 2, message);
      assert.ok(result.stderr.includes(file), result.stderr);
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), content);
      // and create, which would otherwise deploy the wrong compute kind
      const create = await runCli(["examples/parameter_flow.ts", "step-functions", "create"], {
        env: envOf(file),
      });
      assertOneLine(create, 2, message);
    }
  });

  test("a settings file that is not JSON names a remedy that works: configure aws cannot read it either", async () => {
    const file = path.join(dir, "not-json.json");
    fs.writeFileSync(file, "{bad");
    const result = await configure(file, ["--region", "eu-west-1"]);
    assertOneLine(
      result,
      2,
      /^error: Unreadable settings file: '.*not-json\.json' \(.*\)\. Fix it, or remove it and run 'flowship configure aws' again\.\n$/,
    );
    assert.equal(fs.readFileSync(file, "utf8"), "{bad");
  });

  test("a job queue ARN is checked to its end: a line break or a space in it is refused", async () => {
    const file = path.join(dir, "queue-arn.json");
    for (const queue of [
      "arn:aws:batch:x\nINJECTED line",
      `arn:aws:batch:eu-west-1:${MOTO_ACCOUNT}:job-queue/a b`,
    ]) {
      const result = await configure(file, ["--job-queue", queue]);
      assertOneLine(result, 2, /^error: Invalid AWS setting: jobQueue 'arn:aws:batch:/);
      assert.equal(fs.existsSync(file), false);
    }
    const arn = `arn:aws-cn:batch:cn-north-1:${MOTO_ACCOUNT}:job-queue/flowship_queue-1`;
    assert.equal((await configure(file, ["--job-queue", arn])).code, 0);
  });

  test("create refuses a job queue ARN of another region than the deploy's, before any AWS call", async () => {
    const file = path.join(dir, "queue-region.json");
    const queue = `arn:aws:batch:eu-west-1:${MOTO_ACCOUNT}:job-queue/flowship`;
    const given = ["--job-queue", queue, "--s3-root", "s3://my-bucket/flowship"];
    const roles = ["--sfn-role", role("sfn"), "--batch-job-role", role("job")];
    assert.equal((await configure(file, ["--region", "eu-west-1", ...given, ...roles])).code, 0);
    // nothing listens there: a call to AWS would fail differently, with exit 1
    const extra = { FLOWSHIP_AWS_REGION: "us-east-1", AWS_ENDPOINT_URL: "http://127.0.0.1:9" };
    const create = await runCli(["examples/parameter_flow.ts", "step-functions", "create"], {
      env: envOf(file, extra),
    });
    assertOneLine(
      create,
      2,
      /^error: AWS setting jobQueue is in another region: 'arn:aws:batch:eu-west-1:\d{12}:job-queue\/flowship' is a queue of eu-west-1, and flows deploy to region us-east-1\. /,
    );
  });

  test("compute fargate without an execution role names it among what create still misses; the environment's settings are not missing", async () => {
    const file = path.join(dir, "fargate.json");
    const result = await configure(file, ["--compute", "fargate"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /^Still missing for step-functions create: region \(--region\), jobQueue \(--job-queue\), s3Root \(--s3-root\), batchJobRole \(--batch-job-role\), sfnRole \(--sfn-role\), executionRole \(--execution-role\)\.$/m,
    );
    const ec2 = await configure(file, ["--compute", "ec2"]);
    assert.doesNotMatch(ec2.stdout, /executionRole/);
    // what the environment gives is not missing: create, run there, finds it
    const fromEnv = await configure(file, ["--compute", "ec2"], {
      AWS_REGION: "eu-west-1",
      FLOWSHIP_AWS_SFN_ROLE: role("sfn"),
    });
    assert.match(
      fromEnv.stdout,
      /^Still missing for step-functions create: jobQueue \(--job-queue\), s3Root \(--s3-root\), batchJobRole \(--batch-job-role\)\.$/m,
    );
  });

  test("--debug is taken by every standalone command, and prints the error's stack", async () => {
    const bad = path.join(dir, "debug.json");
    fs.writeFileSync(bad, JSON.stringify({ aws: { region: 5 } }));
    for (const args of [
      ["configure", "aws", "--region", "eu-west-1"],
      ["aws", "doctor"],
      ["aws", "stack", "print", "--compute", "banana"],
      ["ui", "--port", "banana"],
      ["event", "send", "-", "--payload", "{"],
    ]) {
      const plain = await runCli(args, { env: envOf(bad) });
      const debug = await runCli([...args, "--debug"], { env: envOf(bad) });
      assert.ok(plain.code === 1 || plain.code === 2, `${args.join(" ")}: ${plain.stderr}`);
      assert.equal(debug.code, plain.code, `${args.join(" ")} --debug: ${debug.stderr}`);
      assert.doesNotMatch(debug.stderr, /Unknown option/, args.join(" "));
      assert.doesNotMatch(plain.stderr, /\n\s+at /, args.join(" "));
      assert.ok(debug.stderr.startsWith(plain.stderr), `${args.join(" ")}:\n${debug.stderr}`);
      assert.match(debug.stderr, /\n\s+at .*\.js:\d+:\d+/, args.join(" "));
    }
  });
});

describe("configure aws --from-stack", () => {
  let moto: Moto;
  let cloudformation: CloudFormationClient;

  /** A stack made directly on moto, with these outputs (literal values) and one SNS topic. */
  async function stack(name: string, outputs: Record<string, string>) {
    await cloudformation.send(
      new CreateStackCommand({
        StackName: name,
        TemplateBody: JSON.stringify({
          Resources: { Topic: { Type: "AWS::SNS::Topic" } },
          Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
        }),
      }),
    );
  }

  const flowshipOutputs = (prefix: string) => ({
    Region: "eu-west-1",
    JobQueue: `${prefix}-queue`,
    S3Root: `s3://${prefix}-bucket/flowship`,
    BatchJobRole: role(`${prefix}-batch-job`),
    SfnRole: role(`${prefix}-step-functions`),
    SchedulerRole: role(`${prefix}-scheduler`),
    EventsRole: role(`${prefix}-events`),
    DeployerPolicy: `arn:aws:iam::${MOTO_ACCOUNT}:policy/${prefix}-deployer`,
  });

  before(async () => {
    moto = await startMoto();
    cloudformation = new CloudFormationClient({
      region: moto.region,
      endpoint: moto.directEndpoint,
      credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    });
    await stack("fargate-stack", {
      ...flowshipOutputs("one"),
      ExecutionRole: role("one-execution"),
      Compute: "fargate",
      NotifySnsTopic: `arn:aws:sns:eu-west-1:${MOTO_ACCOUNT}:one-alerts`,
    });
    await stack("ec2-stack", { ...flowshipOutputs("two"), Compute: "ec2" });
    await stack("other-project", { Website: "https://example.com" });
    await stack("half", { Region: "eu-west-1", JobQueue: "q" });
    // A stack whose CREATE change set was made and never executed stays in REVIEW_IN_PROGRESS.
    await cloudformation.send(
      new CreateChangeSetCommand({
        StackName: "in-review",
        ChangeSetName: "first",
        ChangeSetType: "CREATE",
        TemplateBody: JSON.stringify({ Resources: { Topic: { Type: "AWS::SNS::Topic" } } }),
      }),
    );
    const review = await cloudformation.send(new DescribeStacksCommand({ StackName: "in-review" }));
    assert.equal(review.Stacks?.[0]?.StackStatus, "REVIEW_IN_PROGRESS");
  });
  after(() => moto?.close());

  const fromStack = (file: string, args: string[], extra: Record<string, string | undefined> = {}) =>
    configure(file, ["--from-stack", ...args], { ...moto.env, FLOWSHIP_AWS_REGION: undefined, ...extra });

  test("a stack without flowship's outputs is refused with its status, and nothing is written", async () => {
    const file = path.join(dir, "refused.json");
    const previous = { aws: { region: "eu-west-1", jobQueue: "kept-queue" } };
    fs.writeFileSync(file, JSON.stringify(previous));
    for (const [name, status, what] of [
      [
        "other-project",
        "CREATE_COMPLETE",
        "has none of flowship's outputs \\(Region, JobQueue, S3Root, BatchJobRole, SfnRole\\)",
      ],
      [
        "in-review",
        "REVIEW_IN_PROGRESS",
        "has none of flowship's outputs \\(Region, JobQueue, S3Root, BatchJobRole, SfnRole\\)",
      ],
      ["half", "CREATE_COMPLETE", "lacks flowship's outputs S3Root, BatchJobRole, SfnRole"],
    ]) {
      const result = await fromStack(file, [name!]);
      assertOneLine(
        result,
        1,
        new RegExp(
          `^error: Stack '${name}' in eu-west-1 \\(${status}\\) ${what}: it is not a stack 'flowship aws stack deploy' made, or its deploy did not complete\\. Nothing was written`,
        ),
      );
      assert.equal(result.stdout, "");
      assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), previous);
    }
    const missing = await fromStack(file, ["nowhere"]);
    assertOneLine(missing, 1, /^error: No stack named 'nowhere' in eu-west-1\./);
  });

  test("a stack's ARN is looked up in the region it names, whatever region is configured", async () => {
    const file = path.join(dir, "by-arn.json");
    const described = await cloudformation.send(new DescribeStacksCommand({ StackName: "ec2-stack" }));
    const arn = described.Stacks![0]!.StackId!;
    const elsewhere = { AWS_REGION: "us-east-1", AWS_DEFAULT_REGION: "us-east-1" };
    const result = await fromStack(file, [arn], elsewhere);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(written(file).aws.region, "eu-west-1");
    assert.equal(written(file).aws.jobQueue, "two-queue");
    // an id no stack has: no advice to deploy a stack named after an ARN
    const gone = await fromStack(file, [arn.replace(/\/[^/]+$/, "/0000")], elsewhere);
    assertOneLine(
      gone,
      1,
      /^error: No stack with id 'arn:aws:cloudformation:eu-west-1:.*' in eu-west-1: it was deleted/,
    );
  });

  test("a name that cannot be a stack's, or no region, is a usage error before any AWS call", async () => {
    const file = path.join(dir, "usage.json");
    const sent = moto.requests.length;
    const spaced = await fromStack(file, ["a b"]);
    assertOneLine(spaced, 2, /^error: Invalid --from-stack: 'a b'\. Give a stack's name/);
    const noRegion = await fromStack(file, ["ec2-stack"], {
      AWS_REGION: undefined,
      AWS_DEFAULT_REGION: undefined,
    });
    assertOneLine(
      noRegion,
      2,
      /^error: No AWS region for flowship configure aws --from-stack: give --region, or set AWS_REGION \(or FLOWSHIP_AWS_REGION\)\.$/m,
    );
    assert.equal(moto.requests.length, sent);
    assert.equal(fs.existsSync(file), false);
  });

  test("another stack's settings replace the previous stack's as a set; settings no stack gives stay", async () => {
    // given: the Fargate stack's settings, and an image of the user's own
    const file = path.join(dir, "switch.json");
    const first = await fromStack(file, ["fargate-stack"]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /^Took region, jobQueue, s3Root, batchJobRole, sfnRole, schedulerRole, eventsRole, executionRole, compute, notifySnsTopic from the outputs of stack fargate-stack \(CREATE_COMPLETE\) in eu-west-1\.$/m,
    );
    assert.equal((await configure(file, ["--image", "node:22"])).code, 0);
    // when: the EC2 stack, which has no execution role and no alerts topic
    const second = await fromStack(file, ["ec2-stack"]);
    // then
    assert.equal(second.code, 0, second.stderr);
    assert.match(
      second.stdout,
      /^Removed executionRole, notifySnsTopic: stack ec2-stack does not provide them\.$/m,
    );
    assert.deepEqual(written(file).aws, {
      region: "eu-west-1",
      jobQueue: "two-queue",
      s3Root: "s3://two-bucket/flowship",
      batchJobRole: role("two-batch-job"),
      sfnRole: role("two-step-functions"),
      schedulerRole: role("two-scheduler"),
      eventsRole: role("two-events"),
      compute: "ec2",
      image: "node:22",
    });
    assert.deepEqual((written(file) as unknown as { awsStack: unknown }).awsStack, {
      name: "ec2-stack",
      region: "eu-west-1",
      deployerPolicy: `arn:aws:iam::${MOTO_ACCOUNT}:policy/two-deployer`,
    });
    assert.doesNotMatch(second.stdout, /Still missing/);
  });

  test("every request configure sent matches botocore's models", async () => {
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked > 0);
  });
});
