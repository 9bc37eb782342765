// Least privilege, proven with moto's IAM enforcement on (INITIAL_NO_AUTH_ACTION_COUNT): an IAM
// user holding only the generator's deployer policy (src/aws/account/iam-policies.ts, the one
// docs/production.md shows) runs the real CLI's create, trigger, list-runs, rollback and delete;
// without any single action `create` sends, create fails in one line naming that action; and a
// role holding only the generator's Batch job role policy runs a task's S3 reads and writes, which
// fail, naming the denied request, without s3:GetObject, s3:PutObject or s3:ListBucket.
//
// What moto evaluates (moto 5.2.5, moto/iam/access_control.py, with the fixes in
// test/helpers/moto/iam_enforcement.py): the signature, then the user's (or assumed role's)
// identity policies — Allow, Deny, Action and Resource with wildcards — for every request to
// Step Functions, Batch, EventBridge, EventBridge Scheduler, S3 and IAM. The resource is the
// request's ARN for S3 (bucket, bucket/key), Step Functions, EventBridge and Scheduler; for Batch
// it is `*` (RegisterJobDefinition, the one Batch call create makes, has no resource-level
// permission in AWS either). Not evaluated, neither by moto nor here: the actions AWS authorizes
// besides the one called — iam:PassRole (the roles in CreateStateMachine and
// RegisterJobDefinition), states:PublishStateMachineVersion (`publish: true`), states:TagResource
// and batch:TagResource (tags on create) — and condition keys (the generator's two Conditions,
// iam:AWSServiceName and states:StateMachineQualifier, hold whatever the request). So this test
// proves the generator's policy is enough and that each action create calls is needed; the
// implicit ones stay checked by iam-policies.test.ts against the code, not here.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BatchClient } from "@aws-sdk/client-batch";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import {
  CreateAccessKeyCommand,
  CreateRoleCommand,
  CreateUserCommand,
  IAMClient,
  PutRolePolicyCommand,
  PutUserPolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateBucketCommand, DeleteObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { ListStateMachinesCommand, SFNClient } from "@aws-sdk/client-sfn";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import {
  batchJobPolicy,
  deployerPolicy,
  grantedActions,
  type PolicyDocument,
  type PolicyScope,
  stepFunctionsPolicy,
  trustPolicy,
} from "../../src/aws/account/iam-policies.js";
import type { AwsSettings } from "../../src/aws/deploy/aws-settings.js";
import { BatchDeployClient } from "../../src/aws/deploy/batch-client.js";
import { deployFlow } from "../../src/aws/deploy/create.js";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { EventsDeployClient } from "../../src/aws/deploy/events-client.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import { SchedulerDeployClient } from "../../src/aws/deploy/scheduler-client.js";
import { SfnDeployClient } from "../../src/aws/deploy/sfn-client.js";
import { executionInput } from "../../src/aws/deploy/trigger.js";
import { executeDefinition } from "../../src/aws/simulate/simulate.js";
import { S3Storage } from "../../src/datastore/backends/s3.js";
import { isFlowshipError } from "../../src/errors.js";
import { reportError } from "../../src/report-error.js";
import { flowshipEnv, runCli, tempDir } from "../helpers/cli.js";
import { loadDeployable } from "../helpers/deploy-fixtures.js";
import { MOTO_ACCOUNT, type Moto, type MotoRequest, startMoto } from "../helpers/moto.js";

const FLOW_FILE = "examples/parameter_flow.ts";
const BUCKET = "flowship-iam";
const scope: PolicyScope = { region: "eu-west-1", account: MOTO_ACCOUNT, bucket: BUCKET, prefix: "flowship" };
const S3_ROOT = `s3://${BUCKET}/flowship`;
const role = (suffix: string) => `arn:aws:iam::${MOTO_ACCOUNT}:role/flowship-${suffix}`;

interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

let moto: Moto;
/** The deployer (the generator's deployer policy only), an administrator for the test's own calls. */
const keys: { deployer?: Keys; admin?: Keys; batchJob?: Keys } = {};

const clientConfig = (credentials: Keys, direct = false) => ({
  region: moto.region,
  endpoint: direct ? moto.directEndpoint : moto.endpoint,
  credentials,
  // One attempt: a denied request is not retried into a different answer.
  maxAttempts: 1,
});
const iam = (credentials: Keys) => new IAMClient(clientConfig(credentials, true));

/**
 * The set-up, made by moto's unauthenticated budget: exactly these requests, then enforcement.
 * The roles get the generator's trust and permission policies; the Batch job role is assumed now
 * (its session then acts with that role's policies only).
 */
function setupSteps(): (() => Promise<void>)[] {
  const fake = { accessKeyId: "testing", secretAccessKey: "testing" };
  const user = (name: string, policy: PolicyDocument, into: "deployer" | "admin") => [
    async () => void (await iam(fake).send(new CreateUserCommand({ UserName: name }))),
    async () =>
      void (await iam(fake).send(
        new PutUserPolicyCommand({
          UserName: name,
          PolicyName: "flowship",
          PolicyDocument: JSON.stringify(policy),
        }),
      )),
    async () => {
      const { AccessKey } = await iam(fake).send(new CreateAccessKeyCommand({ UserName: name }));
      keys[into] = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    },
  ];
  const roleSteps = (kind: "stepFunctions" | "batchJob", suffix: string, policy: PolicyDocument) => [
    async () =>
      void (await iam(fake).send(
        new CreateRoleCommand({
          RoleName: `flowship-${suffix}`,
          AssumeRolePolicyDocument: JSON.stringify(trustPolicy(kind, MOTO_ACCOUNT)),
        }),
      )),
    async () =>
      void (await iam(fake).send(
        new PutRolePolicyCommand({
          RoleName: `flowship-${suffix}`,
          PolicyName: "flowship",
          PolicyDocument: JSON.stringify(policy),
        }),
      )),
  ];
  const everything: PolicyDocument = {
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
  };
  return [
    async () =>
      void (await new S3Client({ ...clientConfig(fake, true), forcePathStyle: true }).send(
        new CreateBucketCommand({
          Bucket: BUCKET,
          CreateBucketConfiguration: { LocationConstraint: moto.region as never },
        }),
      )),
    ...roleSteps("stepFunctions", "step-functions", stepFunctionsPolicy(scope)),
    ...roleSteps("batchJob", "batch-job", batchJobPolicy(scope)),
    async () => {
      const { Credentials } = await new STSClient(clientConfig(fake, true)).send(
        new AssumeRoleCommand({ RoleArn: role("batch-job"), RoleSessionName: "task" }),
      );
      keys.batchJob = {
        accessKeyId: Credentials!.AccessKeyId!,
        secretAccessKey: Credentials!.SecretAccessKey!,
        sessionToken: Credentials!.SessionToken!,
      };
    },
    ...user("deployer", deployerPolicy(scope), "deployer"),
    ...user("admin", everything, "admin"),
  ];
}

/** Gives the deployer this policy (its only one). */
async function deployerMay(policy: PolicyDocument): Promise<void> {
  await iam(keys.admin!).send(
    new PutUserPolicyCommand({
      UserName: "deployer",
      PolicyName: "flowship",
      PolicyDocument: JSON.stringify(policy),
    }),
  );
}

/** The generator's deployer policy without one action (a statement left without actions goes). */
function without(policy: PolicyDocument, action: string): PolicyDocument {
  const statements = policy.Statement.map((s) => ({
    ...s,
    Action: [s.Action].flat().filter((a) => a !== action),
  })).filter((s) => s.Action.length > 0);
  return { ...policy, Statement: statements };
}

const settings: AwsSettings = {
  region: scope.region,
  jobQueue: "flowship-queue",
  s3Root: S3_ROOT,
  batchJobRole: role("batch-job"),
  sfnRole: role("step-functions"),
  image: "node:22",
};

function cliEnv(credentials: Keys) {
  return flowshipEnv(tempDir(), {
    ...moto.env,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    FLOWSHIP_AWS_REGION: settings.region,
    FLOWSHIP_AWS_JOB_QUEUE: settings.jobQueue,
    FLOWSHIP_AWS_S3_ROOT: S3_ROOT,
    FLOWSHIP_AWS_BATCH_JOB_ROLE: settings.batchJobRole,
    FLOWSHIP_AWS_SFN_ROLE: settings.sfnRole,
  });
}

/** flowship's deploy wrappers and S3 datastore over SDK clients with these keys, through the proxy. */
function deployerWorld(credentials: Keys): { clients: DeployClients; storage: S3Storage } {
  const config = clientConfig(credentials);
  return {
    clients: {
      sfn: new SfnDeployClient({ client: new SFNClient(config) }),
      batch: new BatchDeployClient({ client: new BatchClient(config) }),
      scheduler: new SchedulerDeployClient({ client: new SchedulerClient(config) }),
      events: new EventsDeployClient({ client: new EventBridgeClient(config) }),
    },
    storage: new S3Storage({ root: S3_ROOT, client: new S3Client({ ...config, forcePathStyle: true }) }),
  };
}

/**
 * The IAM action of a request, as the Service Authorization Reference names it: the JSON
 * protocols' X-Amz-Target operation, or for REST APIs the operation of the method and path.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
function iamAction(request: MotoRequest, known: Set<string>): string {
  if (request.operation) return `${request.service}:${request.operation}`;
  const [pathname, query = ""] = request.url.split("?");
  if (request.service === "s3") {
    const isKey = pathname!.split("/").filter(Boolean).length > 1;
    if (!isKey) return request.method === "GET" ? "s3:ListBucket" : `s3:${request.method} bucket`;
    if (request.method === "GET" || request.method === "HEAD") return "s3:GetObject";
    if (request.method === "DELETE")
      return /uploadId=/.test(query) ? "s3:AbortMultipartUpload" : "s3:DeleteObject";
    return "s3:PutObject";
  }
  if (request.service === "scheduler") {
    const verb = { GET: "Get", POST: "Create", PUT: "Update", DELETE: "Delete" }[request.method];
    return `scheduler:${verb}Schedule`;
  }
  // Batch: POST /v1/<operation in lower case>.
  const operation = pathname!.split("/").pop()!;
  return (
    [...known].find((a) => a.toLowerCase() === `${request.service}:${operation}`) ??
    `${request.service}:${operation}`
  );
}

before(async () => {
  const steps = setupSteps();
  moto = await startMoto({ enforceIamAfter: steps.length });
  for (const step of steps) await step();
});
after(() => moto?.close());

test("after the set-up, moto enforces IAM: its default keys are refused, an allowed user is not", async () => {
  await assert.rejects(
    new SFNClient(clientConfig({ accessKeyId: "testing", secretAccessKey: "testing" }, true)).send(
      new ListStateMachinesCommand({}),
    ),
    { name: "UnrecognizedClientException" },
  );
  await new SFNClient(clientConfig(keys.admin!, true)).send(new ListStateMachinesCommand({}));
});

/** Runs a `step-functions` command of the flow as the deployer, through the recording proxy. */
async function asDeployer(args: string[]) {
  const from = moto.requests.length;
  const result = await runCli([FLOW_FILE, "step-functions", ...args], { env: cliEnv(keys.deployer!) });
  return { ...result, requests: moto.requests.slice(from) };
}

/** The IAM actions of `create`'s requests, first deploy and redeploy (filled by the next test). */
const createActions = { first: new Set<string>(), redeploy: new Set<string>() };

test("a user holding only the generated deployer policy runs create, trigger, list-runs, create again, rollback and delete", async () => {
  // given
  await deployerMay(deployerPolicy(scope));
  const granted = grantedActions(deployerPolicy(scope));
  const sent: MotoRequest[] = [];
  // when / then: each command succeeds, every request it sends allowed
  for (const args of [
    ["create"],
    ["trigger", "--alpha", "0.5"],
    ["list-runs"],
    ["create"],
    ["rollback"],
    ["delete"],
  ]) {
    const result = await asDeployer(args);
    assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
    const refused = result.requests.filter((r) => r.status === 403 || /AccessDenied/.test(r.error ?? ""));
    assert.deepEqual(
      refused.map((r) => `${r.method} ${r.url}`),
      [],
      args.join(" "),
    );
    if (args[0] === "create") {
      const into = createActions.first.size === 0 ? createActions.first : createActions.redeploy;
      for (const request of result.requests) into.add(iamAction(request, granted));
    }
    sent.push(...result.requests);
  }
  // and: what create sent is granted by the policy (so it was moto's enforcement that allowed it)
  for (const action of [...createActions.first, ...createActions.redeploy])
    assert.ok(granted.has(action), action);
  const report = await moto.validate(sent);
  assert.deepEqual(report.findings, []);
  assert.ok(report.checked > 0);
});

/** What the CLI prints for an error (src/report-error.ts), and its exit code. */
function rendered(error: unknown): { code: number; stderr: string } {
  let stderr = "";
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => {
    stderr += chunk;
    return true;
  }) as typeof process.stderr.write;
  try {
    return { code: reportError(error, false), stderr };
  } finally {
    process.stderr.write = write;
  }
}

/** Asserts a refused create's report: exit 1, one line, no stack, naming the action. */
function assertNamesAction(result: { code: number | null; stderr: string }, action: string): void {
  assert.equal(result.code, 1, `${action}: ${result.stderr}`);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${action}: ${result.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.ok(lines[0]!.includes(action), `${action} is not named: ${lines[0]}`);
}

test("without any single action create sends, create fails in one line naming that action (deploy API, the CLI's error report)", async () => {
  // given: the actions of the generator's policy that create's requests needed, first deploy and
  // redeploy (the other actions are other commands' or authorized implicitly, see the top)
  const policy = deployerPolicy(scope);
  const granted = [...grantedActions(policy)];
  const first = granted.filter((a) => createActions.first.has(a));
  const redeployOnly = granted.filter((a) => createActions.redeploy.has(a) && !createActions.first.has(a));
  assert.ok(
    first.includes("states:CreateStateMachine") && redeployOnly.includes("states:UpdateStateMachine"),
  );
  const outDir = tempDir("flowship-iam-");
  const { flow, compiled } = await loadDeployable(FLOW_FILE, outDir);
  const world = deployerWorld(keys.deployer!);
  const deploy = (name: string) =>
    deployFlow({
      flow,
      compiled,
      settings,
      target: deployTarget(settings, flow.name, name),
      clients: world.clients,
      storage: world.storage,
      user: "tester",
      sourceRoot: process.cwd(),
    });
  await deployerMay(policy);
  const { codePackage } = await deploy("Redeployed");
  const admin = new S3Client({ ...clientConfig(keys.admin!, true), forcePathStyle: true });
  const codeKey = `flowship/${codePackage.key}`;
  /** Actions whose refusal left the deploy standing with a warning naming them. */
  const warned: string[] = [];
  /** Actions whose refusal create reads as "nothing to remove". */
  const tolerated: string[] = [];
  let probe = 0;
  for (const [scenario, actions] of [
    ["first", first],
    ["redeploy", redeployOnly],
  ] as const) {
    for (const action of actions) {
      // given: a first deploy uploads its code package (a new state machine of a flow never deployed)
      if (scenario === "first") await admin.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: codeKey }));
      // when: the deployer's policy lacks the action
      await deployerMay(without(policy, action));
      const from = moto.requests.length;
      const outcome = await deploy(scenario === "first" ? `Probe${++probe}` : "Redeployed").then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      // then: create fails naming it, or succeeds where create reads the refusal on purpose
      if ("result" in outcome) {
        const warning = outcome.result.warnings.find((w) => w.includes(action));
        if (warning) {
          assert.match(warning, /AccessDeniedException/);
          assert.ok(!warning.includes("\n"), warning);
          warned.push(action);
        } else {
          // The request create sent for it was refused, and create went on.
          const refused = moto.requests
            .slice(from)
            .filter((r) => iamAction(r, new Set(granted)) === action && r.error === "AccessDeniedException");
          assert.ok(refused.length > 0, `${scenario} create succeeded without ${action}`);
          tolerated.push(action);
        }
        continue;
      }
      assert.ok(isFlowshipError(outcome.error), `${action}: ${String(outcome.error)}`);
      assertNamesAction(rendered(outcome.error), action);
    }
  }
  // Pruning old versions comes after production moved to the new version: a warning names it. So
  // does a job queue the deployer may not describe: its capacity goes unchecked (queue-capacity.ts).
  // Removing a webhook that was never made: a deployer refused the delete cannot have made one
  // (notify-webhook.ts removeWebhook), so create goes on.
  assert.deepEqual(warned.sort(), ["batch:DescribeJobQueues", "states:ListStateMachineVersions"]);
  assert.deepEqual(tolerated.sort(), ["events:DeleteApiDestination", "events:DeleteConnection"]);
});

test("a task holding only the generated Batch job role policy reads and writes the datastore; without s3:GetObject, s3:PutObject or s3:ListBucket it fails naming the denied request", async () => {
  // given: ParameterFlow deployed by the deployer, and what Step Functions and Batch received
  await deployerMay(deployerPolicy(scope));
  const outDir = tempDir("flowship-iam-job-");
  const { flow, compiled } = await loadDeployable(FLOW_FILE, outDir);
  const world = deployerWorld(keys.deployer!);
  const from = moto.requests.length;
  const deployed = await deployFlow({
    flow,
    compiled,
    settings,
    target: deployTarget(settings, flow.name, "JobRole"),
    clients: world.clients,
    storage: world.storage,
    user: "tester",
    sourceRoot: process.cwd(),
  });
  const sent = moto.requests.slice(from);
  const body = (action: string) =>
    JSON.parse(sent.find((r) => iamAction(r, new Set([action])) === action)!.body);
  const admin = new S3Storage({
    root: S3_ROOT,
    client: new S3Client({ ...clientConfig(keys.admin!, true), forcePathStyle: true }),
  });
  let runs = 0;
  /** Executes the definition, each Batch job running the registered command as the job role. */
  const execute = async (policy: PolicyDocument) => {
    await iam(keys.admin!).send(
      new PutRolePolicyCommand({
        RoleName: "flowship-batch-job",
        PolicyName: "flowship",
        PolicyDocument: JSON.stringify(policy),
      }),
    );
    const lines: string[] = [];
    const outcome = await executeDefinition({
      flowName: flow.name,
      definition: JSON.parse(body("states:CreateStateMachine").definition),
      jobDefinition: body("batch:RegisterJobDefinition"),
      storage: admin,
      datastoreRoot: S3_ROOT,
      input: JSON.parse(
        executionInput(flow.name, { alpha: 0.5 }, deployed.deployment.stats.parametersBudgetChars),
      ),
      executionName: `job-role-${++runs}`,
      containerEnv: {
        FLOWSHIP_S3_ENDPOINT: moto.endpoint,
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: moto.region,
        AWS_ACCESS_KEY_ID: keys.batchJob!.accessKeyId,
        AWS_SECRET_ACCESS_KEY: keys.batchJob!.secretAccessKey,
        AWS_SESSION_TOKEN: keys.batchJob!.sessionToken!,
      },
      retryIntervalScale: 0.001,
      print: (line) => lines.push(line),
    });
    return { ...outcome, lines };
  };
  // when / then: the generator's policy is enough
  const allowed = await execute(batchJobPolicy(scope));
  assert.equal(allowed.status, "SUCCEEDED", `${allowed.error}\n${allowed.lines.join("\n")}`);
  // and: without each action, the first request that needs it is refused and the job says so in
  // one line: the bootstrap's download of the code package (s3:GetObject), the task's first write
  // (s3:PutObject), its first listing (s3:ListBucket)
  for (const action of ["s3:GetObject", "s3:PutObject", "s3:ListBucket"]) {
    const denied = await execute(without(batchJobPolicy(scope), action));
    const output = denied.lines.join("\n");
    assert.equal(denied.status, "FAILED", `${action}: ${output}`);
    const named = denied.lines.filter((line) => line.includes(action));
    assert.equal(named.length, 1, `${action}: ${output}`);
    assert.match(named[0]!, /^(error|flowship bootstrap): .*HTTP 403 \(?AccessDenied/, output);
    assert.ok(!denied.lines.some((line) => /^\s+at /.test(line)), `a stack in:\n${output}`);
  }
});

test("the real CLI: create refused one action exits 1 with one line on stderr naming it", async () => {
  for (const action of ["states:CreateStateMachine", "batch:RegisterJobDefinition"]) {
    // given
    await deployerMay(without(deployerPolicy(scope), action));
    // when
    const result = await asDeployer(["create", "--name", `Cli${action.split(":")[1]}`]);
    // then
    assertNamesAction(result, action);
    assert.match(result.stderr, /AccessDeniedException/);
  }
});
