// The step-functions commands and `flowship configure aws` through the real binary: settings
// missing or malformed, bad flags, an unauthorized user, and a trigger, each checked before or
// against moto (test/helpers/moto.ts), where alice has deployed ParameterFlow with the real CLI.
// Nothing here can reach AWS: every request goes to moto, and is checked with botocore's models.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  ListStateMachineVersionsCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-sfn";
import { flowshipEnv, runCli, tempDir } from "../helpers/cli.js";
import { callName, calls, type Moto, startMoto } from "../helpers/moto.js";
import { deployerEnv, prepareAccount, S3_ROOT, sdkClients } from "../helpers/moto-account.js";

const dir = tempDir("flowship-sfn-cli-");
const ROLE = "arn:aws:iam::123456789012:role/flowship-step-functions";
const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:ParameterFlow";
const FLOW = "examples/parameter_flow.ts";

/** Every setting `step-functions create` requires, as environment variables. */
const DEPLOY_SETTINGS = {
  FLOWSHIP_AWS_REGION: "eu-west-1",
  FLOWSHIP_AWS_SFN_ROLE: ROLE,
  FLOWSHIP_AWS_JOB_QUEUE: "flowship-queue",
  FLOWSHIP_AWS_S3_ROOT: S3_ROOT,
  FLOWSHIP_AWS_BATCH_JOB_ROLE: "arn:aws:iam::123456789012:role/flowship-batch-job",
};

let moto: Moto;

/** An environment with no AWS settings at all, whose AWS is moto. */
function bareEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env = flowshipEnv(path.join(dir, ".flowship"), {
    ...moto.env,
    FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
    AWS_REGION: undefined,
    AWS_DEFAULT_REGION: undefined,
    ...extra,
  });
  for (const key of Object.keys(env)) if (key.startsWith("FLOWSHIP_AWS_") && !(key in extra)) delete env[key];
  return env;
}

describe("step-functions commands from the command line", () => {
  before(async () => {
    moto = await startMoto();
    // given: alice deployed ParameterFlow
    await prepareAccount(moto);
    const created = await runCli([FLOW, "step-functions", "create"], { env: deployerEnv(dir, moto) });
    assert.equal(created.code, 0, created.stderr);
  });
  after(() => moto?.close());

  // The old spelling `resume RUN_ID` is a redrive, with a notice first.
  const notice =
    "notice: 'step-functions resume sfn-x' is now 'step-functions redrive sfn-x' (an AWS redrive, on the version the run started with); to resume with the production version's code: step-functions resume --origin-run-id sfn-x\n";
  for (const [args, command = args[0]!, extra = [] as string[], before = ""] of [
    [["create"], "create", ["sfnRole", "jobQueue", "s3Root", "batchJobRole"]],
    [["trigger", "--alpha", "0.5"]],
    [["list-runs"]],
    [["terminate", "sfn-x"]],
    [["resume", "sfn-x"], "redrive", [], notice],
    [["redrive", "sfn-x"]],
    [["resume", "--origin-run-id", "sfn-x"], "resume", ["s3Root"]],
    [["rollback"]],
    [["delete"]],
  ] as Array<[string[], string?, string[]?, string?]>) {
    test(`${args.join(" ")} reports every missing setting at once, before any AWS call`, async () => {
      const sent = moto.requests.length;
      const result = await runCli([FLOW, "step-functions", ...args], { env: bareEnv() });
      // Only create, which makes a state machine, needs the Step Functions role.
      const needed = ["region", ...extra];
      const kebab = (n: string) => n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      const where = needed.map(
        (n) => `--${kebab(n)} / FLOWSHIP_AWS_${kebab(n).replaceAll("-", "_").toUpperCase()}`,
      );
      const s = needed.length > 1 ? "s" : "";
      assert.equal(result.code, 2, result.stderr);
      assert.equal(
        result.stderr,
        `${before}error: Missing AWS setting${s} for step-functions ${command}: '${needed.join(", ")}'. Give ${s ? "them" : "it"} with 'flowship configure aws' (writes ${path.join(dir, "absent.json")}) or in the environment (configure aws flag / variable): ${where.join(", ")}.\n`,
      );
      assert.equal(moto.requests.length, sent);
    });
  }

  test("bad flags are usage errors (exit 2)", async () => {
    const env = bareEnv();
    for (const args of [
      ["rollback", "--version", "two"],
      ["trigger", "--alpha", "lots"],
      ["terminate"],
      ["list-runs", "--finished"],
      ["create", "--job-definition", "mine"],
    ]) {
      const result = await runCli([FLOW, "step-functions", ...args], { env });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^error: .+\.\n$/);
    }
  });

  test("a malformed run id or a step the flow lacks is refused before any AWS call", async () => {
    const sent = moto.requests.length;
    const env = bareEnv(DEPLOY_SETTINGS);
    const notRunId = (id: string) =>
      `error: Not a Step Functions run id: '${id}'. Runs on Step Functions are named sfn-<execution name>; list them with step-functions list-runs.\n`;
    const cases: Array<[string[], string]> = [
      [["resume", "--origin-run-id", "run-42"], notRunId("run-42")],
      [["resume", "--origin-run-id", "sfn-a.b", "start"], notRunId("sfn-a.b")],
      [
        ["resume", "--origin-run-id", "sfn-x", "trian"],
        "error: Cannot resume from step 'trian': flow 'ParameterFlow' has no such step; its steps are start, end.\n",
      ],
      [["redrive", "run-42"], notRunId("run-42")],
      [["terminate", "sfn-"], notRunId("sfn-")],
    ];
    const results = await Promise.all(
      cases.map(([args]) => runCli([FLOW, "step-functions", ...args], { env })),
    );
    for (const [i, [args, stderr]] of cases.entries()) {
      assert.equal(results[i]!.stderr, stderr, args.join(" "));
      assert.equal(results[i]!.code, 2, args.join(" "));
    }
    assert.equal(moto.requests.length, sent);
  });

  test("a scheduled flow with a required parameter is refused by create, settings or not", async () => {
    const file = path.join(dir, "scheduled.ts");
    fs.writeFileSync(
      file,
      `import { flow, schedule } from "flowship";\nexport default flow("NightlyFlow").decorator(schedule({ daily: true })).parameter("day", { required: true }).step("start", () => {}, { next: "end" }).step("end", () => {});\n`,
    );
    const result = await runCli([file, "step-functions", "create"], { env: bareEnv() });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "error: Scheduled flow 'NightlyFlow' has required parameter without a default: 'day'. Give it a default: runs it starts by itself get no parameters.\n",
    );
  });

  test("create refuses a schedule that never fires, before any AWS call", async () => {
    const sent = moto.requests.length;
    const file = path.join(dir, "february.ts");
    fs.writeFileSync(
      file,
      `import { flow, schedule } from "flowship";\nexport default flow("LeapFlow").decorator(schedule({ cron: "0 0 30 2 ? *" })).step("start", () => {}, { next: "end" }).step("end", () => {});\n`,
    );
    const result = await runCli([file, "step-functions", "create"], { env: bareEnv(DEPLOY_SETTINGS) });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "error: Schedule cron(0 0 30 2 ? *) of flow 'LeapFlow' never fires: no time from now on matches it (a day its months do not have, such as 30 February, or only years gone by); fix its day-of-month, month or year.\n",
    );
    assert.equal(moto.requests.length, sent);
  });

  test("configure aws writes the settings file from flags, and refuses a bad value", async () => {
    const file = path.join(dir, "rc.json");
    const env = bareEnv({ FLOWSHIP_CONFIG: file });
    const written = await runCli(
      [
        "configure",
        "aws",
        "--region",
        "eu-west-1",
        "--sfn-role",
        ROLE,
        "--s3-root",
        "s3://my-bucket/flowship/",
      ],
      { env },
    );
    assert.equal(written.code, 0, written.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
      aws: { region: "eu-west-1", sfnRole: ROLE, s3Root: "s3://my-bucket/flowship" },
    });
    assert.equal(
      written.stdout,
      `Wrote AWS settings to ${file}.\nStill missing for step-functions create: jobQueue (--job-queue), batchJobRole (--batch-job-role).\n`,
    );
    const bad = await runCli(["configure", "aws", "--batch-job-role", "admin"], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: Invalid AWS setting: batchJobRole 'admin' \(e\.g\. arn:aws:iam::/);
    // A webhook URL is a secret: the file is its owner's only, and a refused URL is shown by its origin.
    const hook = await runCli(
      ["configure", "aws", "--notify-webhook-url", "https://hooks.slack.com/services/T1/B2/abc"],
      { env },
    );
    assert.equal(hook.code, 0, hook.stderr);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    const plain = await runCli(
      ["configure", "aws", "--notify-webhook-url", "http://hooks.example.com/services/T1/B2/abc"],
      { env },
    );
    assert.equal(plain.code, 2);
    assert.match(
      plain.stderr,
      /^error: Invalid AWS setting: notifyWebhookUrl 'http:\/\/hooks\.example\.com\/…' /,
    );
    assert.doesNotMatch(plain.stderr, /abc/);
  });

  test("configure aws takes the Fargate settings; create on Fargate without an execution role names it", async () => {
    // given
    const file = path.join(dir, "fargate-rc.json");
    const env = bareEnv({ FLOWSHIP_CONFIG: file, ...DEPLOY_SETTINGS });
    // when
    const written = await runCli(
      [
        "configure",
        "aws",
        "--compute",
        "fargate",
        "--assign-public-ip",
        "DISABLED",
        "--fargate-platform-version",
        "1.4.0",
      ],
      { env },
    );
    // then
    assert.equal(written.code, 0, written.stderr);
    assert.deepEqual(JSON.parse(fs.readFileSync(file, "utf8")), {
      aws: { compute: "fargate", assignPublicIp: "DISABLED", fargatePlatformVersion: "1.4.0" },
    });
    // The execution role a Fargate job definition must name is what create still misses (the
    // environment gives the rest), as create then says.
    assert.match(
      written.stdout,
      /^Still missing for step-functions create: executionRole \(--execution-role\)\.$/m,
    );
    const create = await runCli([FLOW, "step-functions", "create"], { env });
    assert.equal(create.code, 2, create.stderr);
    assert.equal(
      create.stderr,
      `error: Missing AWS setting for step-functions create: 'executionRole' (compute is fargate). Give it with 'flowship configure aws' (writes ${file}) or in the environment (configure aws flag / variable): --execution-role / FLOWSHIP_AWS_EXECUTION_ROLE.\n`,
    );
    const bad = await runCli(["configure", "aws", "--compute", "lambda"], { env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: Invalid AWS setting: compute 'lambda'/);
  });

  test("someone else's deployment is refused without its token, after reading only its tags", async () => {
    const sent = moto.requests.length;
    const env = bareEnv({ FLOWSHIP_USER: "bob", ...DEPLOY_SETTINGS });
    for (const command of ["create", "delete"]) {
      const result = await runCli([FLOW, "step-functions", command], { env });
      assert.equal(result.code, 1, result.stderr);
      const action = command === "create" ? "deploy a new version of" : "delete";
      assert.equal(
        result.stderr,
        `error: Not authorized to ${action} the production flow 'ParameterFlow': it was deployed by 'alice', not 'bob'. Pass its production token with --authorize TOKEN (ask alice; it is the namespace production:TOKEN of its runs).\n`,
      );
    }
    const requests = moto.requests.slice(sent);
    assert.deepEqual(requests.map(callName), [
      "states:DescribeStateMachine",
      "states:ListTagsForResource",
      "states:DescribeStateMachine",
      "states:ListTagsForResource",
    ]);
    assert.deepEqual(JSON.parse(requests[0]!.body), { stateMachineArn: MACHINE });
    // and: alice's deployment is as she left it
    const { sfn } = sdkClients(moto);
    const versions = await sfn.send(new ListStateMachineVersionsCommand({ stateMachineArn: MACHINE }));
    assert.deepEqual(
      versions.stateMachineVersions?.map((v) => v.stateMachineVersionArn),
      [`${MACHINE}:1`],
    );
    const { tags } = await sfn.send(new ListTagsForResourceCommand({ resourceArn: MACHINE }));
    assert.ok(
      tags?.some((t) => t.value === "alice"),
      JSON.stringify(tags),
    );
  });

  test("another flow's file with --name of ParameterFlow's state machine changes nothing of it", async () => {
    const sent = moto.requests.length;
    // alice deployed ParameterFlow, so only the flow, not the owner, stands in the way
    const env = bareEnv({ FLOWSHIP_USER: "alice", ...DEPLOY_SETTINGS });
    for (const args of [["create"], ["trigger"], ["terminate", "sfn-x"], ["delete"]]) {
      const result = await runCli(
        ["examples/branch_flow.ts", "step-functions", ...args, "--name", "ParameterFlow"],
        {
          env,
        },
      );
      assert.equal(result.code, 1, result.stderr);
      assert.match(
        result.stderr,
        /^error: State machine 'ParameterFlow' runs flow 'ParameterFlow', not 'BranchFlow': choose another --name for 'BranchFlow', or use the flow file of 'ParameterFlow' \(whose step-functions delete frees the name\)\.\n$/,
        args[0],
      );
    }
    assert.deepEqual(
      [...new Set(moto.requests.slice(sent).map(callName))],
      ["states:DescribeStateMachine", "states:ListTagsForResource"],
    );
  });

  test("--notify-on-error without a destination, or with a malformed one, is refused before any AWS call", async () => {
    const sent = moto.requests.length;
    const env = bareEnv({ ...DEPLOY_SETTINGS });
    const missing = await runCli([FLOW, "step-functions", "create", "--notify-on-error"], { env });
    assert.equal(
      missing.stderr,
      "error: --notify-on-error and --notify-on-success need somewhere to send alerts: pass --notify-sns-topic ARN or --notify-webhook-url URL, or set them once with flowship configure aws (flowship aws stack deploy --alerts-topic makes a topic, and configure aws --from-stack records it).\n",
    );
    assert.equal(missing.code, 2);
    const bad = await runCli(
      [FLOW, "step-functions", "create", "--notify-on-error", "--notify-sns-topic", "alerts@example.com"],
      { env },
    );
    assert.equal(
      bad.stderr,
      "error: Invalid --notify-sns-topic 'alerts@example.com': give an SNS topic ARN, e.g. arn:aws:sns:eu-west-1:123456789012:flowship-alerts.\n",
    );
    assert.equal(bad.code, 2);
    // Webhooks: HTTPS only, shown by origin; EventBridge calls them as the events role; no stray flag.
    const webhook = (url: string, extra: string[] = ["--notify-on-error"], more = {}) =>
      runCli([FLOW, "step-functions", "create", ...extra, "--notify-webhook-url", url], {
        env: { ...env, ...more },
      });
    const http = await webhook("http://hooks.example.com/T1/s3cret");
    assert.equal(
      http.stderr,
      "error: Invalid --notify-webhook-url 'http://hooks.example.com/…': EventBridge calls HTTPS endpoints only.\n",
    );
    const noRole = await webhook("https://hooks.example.com/T1/s3cret");
    assert.equal(
      noRole.stderr,
      "error: --notify-webhook-url needs the events role, which EventBridge calls the webhook as: run flowship configure aws --events-role ARN (or set FLOWSHIP_AWS_EVENTS_ROLE).\n",
    );
    const badAuth = await webhook("https://hooks.example.com/T1/s3cret", ["--notify-on-error"], {
      FLOWSHIP_AWS_EVENTS_ROLE: "arn:aws:iam::123456789012:role/flowship-events",
      FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH: "Bearer s3cret-token",
    });
    assert.equal(
      badAuth.stderr,
      "error: FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH must be 'Header-Name: value', e.g. 'Authorization: Bearer <token>' (its value is not shown here).\n",
    );
    // A line break in the value would start a header of its own on the wire.
    const injected = await webhook("https://hooks.example.com/T1/s3cret", ["--notify-on-error"], {
      FLOWSHIP_AWS_EVENTS_ROLE: "arn:aws:iam::123456789012:role/flowship-events",
      FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH: "Authorization: Bearer s3cret-token\r\nX-Injected: yes",
    });
    assert.equal(
      injected.stderr,
      "error: FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH has a line break or another control character in its value, which no HTTP header may carry: give one line, 'Header-Name: value' (its value is not shown here).\n",
    );
    const stray = await webhook("https://hooks.example.com/T1/s3cret", []);
    assert.equal(
      stray.stderr,
      "error: --notify-webhook-url needs --notify-on-error or --notify-on-success.\n",
    );
    for (const result of [http, noRole, badAuth, injected, stray]) assert.equal(result.code, 2);
    assert.equal(moto.requests.length, sent);
  });

  test("trigger sends the typed parameters to the production alias and prints the run id", async () => {
    const sent = moto.requests.length;
    const runIdFile = path.join(dir, "run-id");
    const env = bareEnv({
      FLOWSHIP_AWS_REGION: "eu-west-1",
      FLOWSHIP_AWS_SFN_ROLE: ROLE,
    });
    const result = await runCli(
      [FLOW, "step-functions", "trigger", "--alpha", "0.5", "--run-id-file", runIdFile],
      {
        env,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    // then: the one execution of the state machine, started on the alias with the parameters
    const { sfn } = sdkClients(moto);
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: MACHINE }));
    assert.equal(executions?.length, 1);
    const execution = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executions![0]!.executionArn }),
    );
    assert.equal(result.stdout, `sfn-${execution.name}\n`);
    assert.equal(fs.readFileSync(runIdFile, "utf8"), `sfn-${execution.name}`);
    assert.deepEqual(
      [execution.status, execution.stateMachineAliasArn, execution.stateMachineVersionArn, execution.input],
      ["RUNNING", `${MACHINE}:production`, `${MACHINE}:1`, '{"Parameters":"{\\"alpha\\":0.5}"}'],
    );
    assert.deepEqual(
      moto.requests.slice(sent).map((r) => [callName(r), JSON.parse(r.body)]),
      [
        [
          "states:StartExecution",
          { stateMachineArn: `${MACHINE}:production`, input: '{"Parameters":"{\\"alpha\\":0.5}"}' },
        ],
      ],
    );
  });

  test("terminate takes several run ids: it stops the running ones and names one no longer running or unknown", async () => {
    // alice deployed it: she may stop its runs
    const env = bareEnv({ FLOWSHIP_AWS_REGION: "eu-west-1", FLOWSHIP_USER: "alice" });
    const runIds: string[] = [];
    for (const alpha of ["0.1", "0.2"]) {
      const started = await runCli([FLOW, "step-functions", "trigger", "--alpha", alpha], { env });
      assert.equal(started.code, 0, started.stderr);
      runIds.push(started.stdout.trim());
    }
    // when: an id this state machine does not have first, both, then the first again among them
    const result = await runCli([FLOW, "step-functions", "terminate", "sfn-nope", ...runIds, runIds[0]!], {
      env,
    });
    // then
    assert.equal(result.code, 1, result.stderr);
    assert.deepEqual(
      result.stdout.split("\n").map((line) => line.replace(/ at .*\.$/, ".")),
      [...runIds.map((id) => `Terminated run ParameterFlow/${id}.`), ""],
      result.stderr,
    );
    assert.equal(
      result.stderr,
      `error: Run is not an execution of state machine 'ParameterFlow': 'sfn-nope'. List its runs with step-functions list-runs.\n` +
        `error: Run is not running: '${runIds[0]}' is ABORTED. Only running runs can be terminated.\n`,
    );
  });

  test("without the Step Functions role, a command that creates no state machine finds the account with STS", async () => {
    const sent = moto.requests.length;
    const result = await runCli([FLOW, "step-functions", "list-runs"], {
      env: bareEnv({ FLOWSHIP_AWS_REGION: "eu-west-1" }),
    });
    assert.equal(result.code, 0, result.stderr);
    const made = moto.requests.slice(sent);
    assert.deepEqual(made.map(callName).slice(0, 2), ["sts:GetCallerIdentity", "states:ListExecutions"]);
    // The account STS named (moto's) is the one the deployment's ARN carries.
    assert.equal(JSON.parse(made[1]!.body).stateMachineArn, MACHINE);
  });

  test("an AWS error names the call that failed and the permission to grant", async () => {
    const denied = `User: arn:aws:iam::123456789012:user/testing is not authorized to perform: states:ListExecutions on resource: ${MACHINE}`;
    moto.inject({
      match: calls("states:ListExecutions"),
      code: "AccessDeniedException",
      message: denied,
      times: 1,
    });
    const env = bareEnv({
      FLOWSHIP_AWS_REGION: "eu-west-1",
      FLOWSHIP_AWS_SFN_ROLE: ROLE,
    });
    const result = await runCli([FLOW, "step-functions", "list-runs"], { env });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `error: AWS call states:ListExecutions failed for '${MACHINE}': AccessDeniedException: ${denied}. Grant states:ListExecutions to the identity deploying (see docs/production.md).\n`,
    );
  });

  test("every request the commands sent is valid by AWS's own API models", async () => {
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked > 0);
  });
});
