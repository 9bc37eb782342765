// `flowship aws doctor` on an account made the way docs/production.md says: `flowship aws stack
// deploy`, then `configure aws --from-stack`, all through the real CLI against moto
// (test/helpers/moto.ts). Every role the stack made passes its trust and permission checks, and
// so does a deployer with the stack's DeployerPolicy attached; a deployer without it is denied
// many actions, listed at most eight by name, and told to attach the stack's DeployerPolicy.
// (The roles CloudFormation makes are kept by moto with their inline policies as dicts, which
// our SimulatePrincipalPolicy patch once could not read.)
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import { AttachUserPolicyCommand, CreateRoleCommand, CreateUserCommand } from "@aws-sdk/client-iam";
import { type CliResult, flowshipEnv, runCli, tempDir } from "../helpers/cli.js";
import { MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
import { sdkClients } from "../helpers/moto-account.js";

const dir = tempDir("flowship-doctor-stack-");
const configFile = path.join(dir, "flowshiprc.json");
const SERVICE_ROLE = `arn:aws:iam::${MOTO_ACCOUNT}:role/batch-service`;
const user = (name: string) => `arn:aws:iam::${MOTO_ACCOUNT}:user/${name}`;

let moto: Moto;
let deployerPolicy: string;

function env(): NodeJS.ProcessEnv {
  const result = flowshipEnv(path.join(dir, ".flowship"), { ...moto.env, FLOWSHIP_CONFIG: configFile });
  for (const key of Object.keys(result)) if (key.startsWith("FLOWSHIP_AWS_")) delete result[key];
  return result;
}

const cli = (...args: string[]) => runCli(args, { env: env() });

/** The check lines: symbol, then the rest. */
function lines(result: CliResult): { symbol: string; text: string }[] {
  return result.stdout
    .split("\n")
    .filter((l) => /^[✔✘!-] /.test(l))
    .map((l) => ({ symbol: l[0]!, text: l.slice(2) }));
}

before(async () => {
  moto = await startMoto();
  const iam = sdkClients(moto).iam;
  // moto's Batch requires a compute environment's ServiceRole, which AWS makes optional.
  await iam.send(new CreateRoleCommand({ RoleName: "batch-service", AssumeRolePolicyDocument: "{}" }));
  const deployed = await cli(
    "aws",
    "stack",
    "deploy",
    "--name",
    "flowship",
    "--batch-service-role",
    SERVICE_ROLE,
    "--alerts-topic",
    "--poll-seconds",
    "0.1",
  );
  assert.equal(deployed.code, 0, deployed.stdout + deployed.stderr);
  deployerPolicy = /^ {2}DeployerPolicy\s+(\S+)$/m.exec(deployed.stdout)?.[1] ?? "";
  assert.match(deployerPolicy, /^arn:aws:iam::\d{12}:policy\//);
  const configured = await cli("configure", "aws", "--from-stack", "flowship");
  assert.equal(configured.code, 0, configured.stderr);
  // ci deploys with the stack's DeployerPolicy; intern has no policy at all.
  for (const name of ["ci", "intern"]) await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new AttachUserPolicyCommand({ UserName: "ci", PolicyArn: deployerPolicy }));
});
after(() => moto?.close());

test("the roles a stack made, and a deployer with its DeployerPolicy, pass every check", async () => {
  // when
  const result = await cli("aws", "doctor", "--deployer", user("ci"));
  // then
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const checks = lines(result);
  const roleLines = checks.filter((l) => / role /.test(l.text) || /^deployer permissions/.test(l.text));
  for (const title of [
    "Step Functions role",
    "Batch job role",
    "Fargate execution role",
    "Scheduler role",
    "events role",
  ]) {
    for (const subject of [`${title} `, `${title} permissions`]) {
      const line = roleLines.find((l) => l.text.startsWith(subject));
      assert.ok(line, `${subject} in:\n${result.stdout}`);
      assert.equal(line.symbol, "✔", line.text);
    }
  }
  const deployer = checks.find((l) => l.text.startsWith(`deployer permissions of ${user("ci")}`));
  assert.equal(deployer?.symbol, "✔", result.stdout);
  assert.doesNotMatch(result.stdout, /XML|could not check/);
  assert.deepEqual(
    checks.filter((l) => l.symbol === "✘"),
    [],
  );
});

test("a deployer without the DeployerPolicy: eight denied actions by name, the rest counted, and the stack's policy to attach", async () => {
  const result = await cli("aws", "doctor", "--deployer", user("intern"));
  assert.equal(result.code, 1, result.stdout);
  const line = lines(result).find((l) => l.text.startsWith("deployer permissions"))!;
  assert.equal(line.symbol, "✘");
  const [found, fix] = line.text.split(" Fix: ") as [string, string];
  const denied = /denied (\d+) of (\d+) actions: (.*) and (\d+) more\.$/.exec(found);
  assert.ok(denied, found);
  assert.equal(denied[3]!.split(", ").length, 8, found);
  assert.ok(Number(denied[4]) > 0);
  assert.ok(line.text.length < 1500, `${line.text.length} characters`);
  assert.equal(
    fix,
    `attach the DeployerPolicy of stack flowship (${deployerPolicy}) to ${user("intern")}: aws iam attach-user-policy --user-name intern --policy-arn ${deployerPolicy}.`,
  );
});

test("a --deployer that does not exist is said to be so", async () => {
  const result = await cli("aws", "doctor", "--deployer", user("ghost"));
  assert.equal(result.code, 1, result.stdout);
  const line = lines(result).find((l) => l.text.startsWith("deployer permissions"))!;
  assert.equal(line.symbol, "✘");
  assert.match(
    line.text,
    /: the --deployer ARN does not exist: no IAM user ghost in account 123456789012\. Fix: give --deployer the ARN of an existing IAM user or role/,
  );
});

test("every request the CLI sent matches botocore's models", async () => {
  const report = await moto.validate();
  assert.deepEqual(report.findings, []);
  assert.ok(report.checked > 0);
});
