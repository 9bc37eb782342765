// The IAM policy generator (src/aws/account/iam-policies.ts: the account stack's policies and
// docs/production.md's) against what the code can send: every action of every AWS call (deploy
// commands, the tasks' S3 datastore, Step Functions' own service integrations, the roles that
// start executions, ECS pulling a Fargate job's image) must be granted to the role that makes it,
// and no policy may grant an action no code needs. The page must show exactly the generator's
// output.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { documentedPolicyDocuments, renderIamDocs } from "../../scripts/iam-docs.js";
import { batchJobPolicy, grantedActions, type PolicyDocument } from "../../src/aws/account/iam-policies.js";
import { compileStepFunctions } from "../../src/aws/compile/compile-step-functions.js";
import { REPO, tempDir } from "../helpers/cli.js";
import { loadDeployable } from "../helpers/deploy-fixtures.js";

const read = (file: string) => fs.readFileSync(path.join(REPO, file), "utf8");
/** The text of every source file below `folder` (tests left out), by path. */
const sources = (folder: string): Map<string, string> =>
  new Map(
    fs
      .readdirSync(path.join(REPO, folder), { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".case.ts"))
      .map((f) => [path.join(folder, f), read(path.join(folder, f))]),
  );

/**
 * The IAM action of each S3 request the datastore sends.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
const S3_COMMAND_ACTIONS: Record<string, string> = {
  GetObjectCommand: "s3:GetObject",
  HeadObjectCommand: "s3:GetObject",
  PutObjectCommand: "s3:PutObject",
  CreateMultipartUploadCommand: "s3:PutObject",
  UploadPartCommand: "s3:PutObject",
  CompleteMultipartUploadCommand: "s3:PutObject",
  AbortMultipartUploadCommand: "s3:AbortMultipartUpload",
  ListObjectsV2Command: "s3:ListBucket",
  DeleteObjectCommand: "s3:DeleteObject",
  DeleteObjectsCommand: "s3:DeleteObject",
};

/**
 * What the Step Functions role needs for each service integration in a definition.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/batch-iam.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
const INTEGRATION_ACTIONS: Record<string, string[]> = {
  "arn:aws:states:::batch:submitJob.sync": [
    "batch:SubmitJob",
    "batch:DescribeJobs",
    "batch:TerminateJob",
    "events:PutTargets",
    "events:PutRule",
    "events:DescribeRule",
  ],
  "arn:aws:states:::aws-sdk:s3:getObject": ["s3:GetObject"],
  // A Distributed Map's ItemReader and ResultWriter.
  // https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
  // https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
  "arn:aws:states:::s3:getObject": ["s3:GetObject"],
  "arn:aws:states:::s3:putObject": [
    "s3:PutObject",
    "s3:GetObject",
    "s3:ListMultipartUploadParts",
    "s3:AbortMultipartUpload",
  ],
};

/**
 * What a Distributed Map needs besides its reader and writer: starting its child executions of
 * the state machine itself, and following and stopping them.
 * https://docs.aws.amazon.com/step-functions/latest/dg/iam-policies-eg-dist-map.html
 */
const DISTRIBUTED_MAP_ACTIONS = ["states:StartExecution", "states:DescribeExecution", "states:StopExecution"];

/** The actions of every S3 request the datastore backend can send. */
/**
 * The S3 actions the datastore backends send for code in `where` (file path prefixes under src/).
 * Deleting is Storage.remove/removeTree: s3:DeleteObject only for a role whose code calls them.
 */
function datastoreS3Actions(where: (file: string) => boolean): Set<string> {
  const code = [...sources("src/datastore/backends").values()].join("\n");
  const commands = new Set([...code.matchAll(/new (\w+Command)\(/g)].map((m) => m[1]!));
  const actions = new Set<string>();
  const removes = [...sources("src")].some(
    ([file, text]) => !file.includes("/backends/") && where(file) && /\.(remove|removeTree)\(/.test(text),
  );
  for (const command of commands) {
    const action = S3_COMMAND_ACTIONS[command];
    assert.ok(action, `the datastore sends ${command}: add its IAM action to this test`);
    if (action !== "s3:DeleteObject" || removes) actions.add(action);
  }
  return actions;
}

/** Code only the deployer runs (deploy, delete) or that never runs in a Batch job (the CLI, the UI). */
const deployerOnly = (file: string) => /(^|\/)src\/(aws\/deploy|cli|ui)\//.test(file);

/**
 * What ECS does as a Fargate job's execution role: pull the image (from a private ECR repository)
 * and write the container's log, AWS's AmazonECSTaskExecutionRolePolicy.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
 */
const EXECUTION_ACTIONS = [
  "ecr:GetAuthorizationToken",
  "ecr:BatchCheckLayerAvailability",
  "ecr:GetDownloadUrlForLayer",
  "ecr:BatchGetImage",
  "logs:CreateLogStream",
  "logs:PutLogEvents",
];

/** The generator's policies, by the role names this test uses. */
function generatedPolicies(): Record<string, PolicyDocument> {
  const docs = documentedPolicyDocuments();
  return {
    deployer: docs.deployer!,
    "Step Functions role": docs.stepFunctions!,
    "Batch job role": docs.batchJob!,
    "Scheduler role": docs.scheduler!,
    "events role": docs.events!,
    "execution role": docs.execution!,
  };
}

test("the generated policies grant each role exactly the actions the code can send", async () => {
  // given: what the code sends
  const deployCalls = new Set(
    [...sources("src/aws/deploy").values()].flatMap((text) =>
      [...text.matchAll(/aws(?:Call|Lookup)\(\s*"([a-z0-9-]+:\w+)"/g)].map((m) => m[1]!),
    ),
  );
  const s3 = datastoreS3Actions((file) => !deployerOnly(file));
  const deployerS3 = datastoreS3Actions(() => true);
  const integrations = new Set<string>();
  let distributed = false;
  const outDir = tempDir();
  for (const file of fs.readdirSync(path.join(REPO, "examples"))) {
    const { flow } = await loadDeployable(path.join("examples", file), outDir);
    // Both kinds of foreach: inline (--distributed-map never) and distributed (the default).
    for (const distributedMap of ["never", "auto"] as const) {
      const options = distributedMap === "never" ? { distributedMap, maxWorkers: 10 } : { distributedMap };
      const definition = JSON.stringify(compileStepFunctions(flow, options).definition);
      for (const m of definition.matchAll(/"Resource":"(arn:aws:states:::[^"]+)"/g)) integrations.add(m[1]!);
      distributed ||= definition.includes('"Mode":"DISTRIBUTED"');
    }
  }
  const stepFunctions = new Set<string>(distributed ? DISTRIBUTED_MAP_ACTIONS : []);
  for (const resource of integrations) {
    const actions = INTEGRATION_ACTIONS[resource];
    assert.ok(actions, `definitions use ${resource}: add its IAM actions to this test`);
    for (const action of actions) stepFunctions.add(action);
  }
  const needed: Record<string, Set<string>> = {
    // The deploy commands' calls, the code package upload, the roles they hand to AWS
    // (iam:PassRole), tag-on-create of the job definition (batch:TagResource), and publishing a
    // version with Create/UpdateStateMachine's `publish: true` (states:PublishStateMachineVersion,
    // see https://docs.aws.amazon.com/step-functions/latest/dg/auth-version-alias.html).
    deployer: new Set([
      // GetCallerIdentity needs no permission, and cannot be denied:
      // https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
      ...[...deployCalls].filter((call) => call !== "sts:GetCallerIdentity"),
      ...deployerS3,
      "iam:PassRole",
      "batch:TagResource",
      ...(/publish: true/.test(read("src/aws/deploy/publish-version.ts"))
        ? ["states:PublishStateMachineVersion"]
        : []),
      // The first connection in an account makes EventBridge create its service-linked role.
      // https://docs.aws.amazon.com/eventbridge/latest/userguide/using-service-linked-roles-service-action-1.html
      ...(deployCalls.has("events:CreateConnection") ? ["iam:CreateServiceLinkedRole"] : []),
    ]),
    "Step Functions role": stepFunctions,
    // The datastore, and (with --notify-on-error) a failing step's own alert on the default bus.
    "Batch job role": new Set([
      ...s3,
      ...(/\bsendEvent\(/.test(read("src/aws/batch/step-alert.ts")) ? ["events:PutEvents"] : []),
    ]),
    // Starts executions of the production alias, and nothing else.
    "Scheduler role": new Set(["states:StartExecution"]),
    // The same for triggerOnFinish, and the webhook's API destination (a rule target's role).
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html
    "events role": new Set([
      "states:StartExecution",
      ...(deployCalls.has("events:CreateApiDestination") ? ["events:InvokeApiDestination"] : []),
    ]),
    "execution role": new Set(EXECUTION_ACTIONS),
  };
  // when
  const generated = generatedPolicies();
  // then
  assert.deepEqual(Object.keys(generated).sort(), Object.keys(needed).sort());
  for (const [role, actions] of Object.entries(needed)) {
    const granted = grantedActions(generated[role]!);
    assert.deepEqual(
      {
        missing: [...actions].filter((a) => !granted.has(a)).sort(),
        unneeded: [...granted].filter((a) => !actions.has(a)).sort(),
      },
      { missing: [], unneeded: [] },
      `the ${role}'s policy in src/aws/account/iam-policies.ts`,
    );
  }
});

test("docs/production.md shows exactly the generated policies (regenerate with: node --import tsx scripts/iam-docs.ts)", () => {
  // given
  const page = read("docs/production.md");
  const section = page.slice(page.indexOf("### IAM: who may do what"), page.indexOf("## 11."));
  // when
  const marked = [...section.matchAll(/<!-- iam-policy: ([A-Za-z ]+) -->\n\n```json\n/g)].map((m) => m[1]);
  // then: every JSON block of the section is a generated one, each policy is there once, and up to date
  assert.equal(marked.length, [...section.matchAll(/```json\n/g)].length, "a JSON block without a marker");
  assert.deepEqual([...marked].sort(), Object.keys(documentedPolicyDocuments()).sort());
  assert.equal(page, renderIamDocs(page));
});

test("no generated policy grants a wildcard action", () => {
  for (const [name, policy] of Object.entries(documentedPolicyDocuments())) {
    for (const action of grantedActions(policy)) assert.doesNotMatch(action, /\*/, `${name}: ${action}`);
  }
});

test("a datastore at a bucket's root (s3://bucket, no prefix) is granted the bucket's keys", () => {
  const scope = { region: "eu-west-1", account: "123456789012", bucket: "runs" };
  const resources = (prefix: string | undefined) =>
    batchJobPolicy(prefix === undefined ? scope : { ...scope, prefix })
      .Statement.filter((s) => s.Sid !== "StepAlerts")
      .map((s) => s.Resource);
  assert.deepEqual(resources(""), ["arn:aws:s3:::runs/*", "arn:aws:s3:::runs", "arn:aws:s3:::runs/*.live/*"]);
  assert.deepEqual(resources("team/flows"), [
    "arn:aws:s3:::runs/team/flows/*",
    "arn:aws:s3:::runs",
    "arn:aws:s3:::runs/team/flows/*.live/*",
  ]);
  assert.deepEqual(resources(undefined), [
    "arn:aws:s3:::runs/flowship/*",
    "arn:aws:s3:::runs",
    "arn:aws:s3:::runs/flowship/*.live/*",
  ]);
});
