// Security: secrets never land where flowship writes, code packages never carry credential files,
// a Batch task runs only the code package it was deployed with, and no name, id or pathspec
// reaches outside the datastore root.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { DescribeExecutionCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import * as tar from "tar";
import { bootstrapCommand } from "../../src/aws/compile/bootstrap-command.js";
import { buildCodePackage } from "../../src/aws/package/code-package.js";
import { uploadCodePackage } from "../../src/aws/package/code-package-store.js";
import { Flow, Run, Step, Task } from "../../src/client/index.js";
import { LocalStorage } from "../../src/datastore/backends/local.js";
import { compileFlow } from "../../src/run/compile-flow.js";
import { flowshipEnv, REPO, runCli, runIdFrom, runNode, tempDir } from "../helpers/cli.js";
import { CRASH_FLOW } from "../helpers/crash-flow.js";
import { callName, MOTO_ACCOUNT, type Moto, startMoto } from "../helpers/moto.js";
import { deployerEnv, prepareAccount, sdkClients } from "../helpers/moto-account.js";

const CANARIES = {
  AWS_SECRET_ACCESS_KEY: "CANARYsecretAccessKey7f3a91",
  AWS_SESSION_TOKEN: "CANARYsessionToken0c4d22",
  API_TOKEN: "CANARYapiToken5e6b18",
} as const;

/** The environment of a user who has AWS credentials and a secret of their own, marked secret. */
function secretEnv(root: string): NodeJS.ProcessEnv {
  return flowshipEnv(root, { ...CANARIES, FLOWSHIP_SECRET_ENV: "API_TOKEN" });
}

/** Every file below `folder`, gzipped files (code packages) also decompressed. */
function everyByte(folder: string): { file: string; bytes: Buffer }[] {
  const files: { file: string; bytes: Buffer }[] = [];
  for (const entry of fs.readdirSync(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(file);
    files.push({ file, bytes });
    if (bytes[0] === 0x1f && bytes[1] === 0x8b)
      files.push({ file: `${file} (unpacked)`, bytes: gunzipSync(bytes) });
  }
  return files;
}

/** Where each canary shows up in `text` or in the files below `folder`. */
function leaks(texts: Record<string, string>, folder?: string): string[] {
  const found: string[] = [];
  const sources = [
    ...Object.entries(texts).map(([name, text]) => ({ file: name, bytes: Buffer.from(text) })),
    ...(folder ? everyByte(folder) : []),
  ];
  for (const { file, bytes } of sources) {
    for (const [name, value] of Object.entries(CANARIES)) {
      if (bytes.includes(value)) found.push(`${name} in ${file}`);
    }
  }
  return found;
}

describe("secrets", () => {
  test("never appear in logs, records or artifacts of a local run that prints them and fails with one", async () => {
    // given
    const root = path.join(tempDir(), ".flowship");
    // when
    const run = await runCli(["test/fixtures/flows/secret_flow.ts", "run"], { env: secretEnv(root) });
    // then
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(leaks({ stdout: run.stdout, stderr: run.stderr }, root), []);
    const runId = runIdFrom(run.stderr);
    const options = { datastore: root, namespace: null };
    const start = await Task.get(`SecretFlow/${runId}/start/0`, options);
    assert.equal(
      await start.stdout(),
      "calling the API with token ***\n",
      "what was printed is kept, masked",
    );
    assert.equal(await start.stderr(), "credentials: *** / ***\n");
    assert.equal(await start.load("tokenLength"), CANARIES.API_TOKEN.length, "the step did see the secret");
    const call = await Task.get(`SecretFlow/${runId}/call/0`, options);
    assert.equal(call.exception?.message, "the API refused token ***");
    const caught = (await (await Task.get(`SecretFlow/${runId}/end/0`, options)).load("callError")) as {
      message: string;
    };
    assert.equal(caught.message, "the API refused token ***");
  });

  test("a multi-line secret (a PEM key) is masked line by line, and one across a cut long line too", async () => {
    // given: a key of several lines in a variable named secret, which a step prints
    const root = path.join(tempDir(), ".flowship");
    const body = [
      "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7",
      "kVgH5Xq2cBqRlZ3x9pLmN0aBcDeFgHiJkLmNoPqRsTuVwXyZ",
    ];
    const pem = ["-----BEGIN PRIVATE KEY-----", ...body, "-----END PRIVATE KEY-----"].join("\n");
    const secrets = { PEM_KEY: pem, FLOWSHIP_SECRET_ENV: "API_TOKEN,PEM_KEY", STRADDLE: "1" };
    const env = flowshipEnv(root, { ...CANARIES, ...secrets });
    // when
    const run = await runCli(["test/fixtures/flows/secret_flow.ts", "run"], { env });
    // then: neither the console nor the stored log holds a line of it
    assert.equal(run.code, 0, run.stderr);
    const start = await Task.get(`SecretFlow/${runIdFrom(run.stderr)}/start/0`, {
      datastore: root,
      namespace: null,
    });
    const log = await start.stdout();
    for (const line of body) {
      assert.ok(!run.stdout.includes(line) && !log.includes(line), `a line of the key leaked: ${line}`);
    }
    assert.match(log, /the key:\n\*\*\*\n\*\*\*\n\*\*\*\n\*\*\*\n/);
    const half = CANARIES.API_TOKEN.slice(-10);
    assert.ok(!run.stdout.includes(half) && !log.includes(half), "half a secret straddling the 1 MiB cut");
    assert.match(log, /\na{1048571}\n\*\*\*\n/, "the piece ends before the secret");
  });

  test("never appear in a simulated deployment: code package, production records, logs, state machine", async () => {
    // given
    const root = path.join(tempDir(), ".flowship");
    const env = secretEnv(root);
    // when
    const simulated = await runCli(
      ["test/fixtures/flows/secret_flow.ts", "step-functions", "simulate", "--token", "sec"],
      { env },
    );
    const created = await runCli(
      ["test/fixtures/flows/secret_flow.ts", "step-functions", "create", "--only-json"],
      {
        env,
      },
    );
    // then
    assert.equal(simulated.code, 0, simulated.stderr);
    assert.equal(created.code, 0, created.stderr);
    assert.ok(JSON.parse(created.stdout).States, "the definition was printed");
    const packages = fs.readdirSync(path.join(root, "SecretFlow", "code"));
    assert.equal(packages.length, 1, "the simulation stored its code package");
    assert.deepEqual(
      leaks(
        {
          "simulate output": simulated.stdout + simulated.stderr,
          "state machine definition": created.stdout + created.stderr,
        },
        root,
      ),
      [],
    );
  });
});

describe("code packages", () => {
  test("never contain .env files, .git/, cloud credentials or keys, even when every file is asked for", async () => {
    // given: a project with the usual secrets lying around
    const project = tempDir("flowship-project-");
    const secretFiles = [
      ".env",
      ".env.local",
      "flows/.env.production",
      ".git/config",
      ".git/HEAD",
      ".aws/credentials",
      ".aws/config",
      "credentials",
      "config/credentials.json",
      "id_rsa",
      ".ssh/id_ed25519",
      "keys/server.pem",
      ".npmrc",
    ];
    for (const file of secretFiles) {
      fs.mkdirSync(path.join(project, path.dirname(file)), { recursive: true });
      fs.writeFileSync(path.join(project, file), `token=${CANARIES.API_TOKEN}\n`);
    }
    fs.mkdirSync(path.join(project, "flows"), { recursive: true });
    fs.writeFileSync(path.join(project, "config", "settings.json"), '{"rows": 10}\n');
    fs.copyFileSync(
      path.join(REPO, "test/fixtures/flows/secret_flow.ts"),
      path.join(project, "flows/flow.ts"),
    );
    const compiled = await compileFlow({ file: path.join(project, "flows/flow.ts"), outDir: tempDir() });
    // when
    const pkg = await buildCodePackage({
      flow: "SecretFlow",
      flowFile: path.join(project, "flows/flow.ts"),
      bundlePath: compiled.bundle,
      sourceRoot: project,
      include: ["**"],
    });
    // then
    const entries: string[] = [];
    const archive = path.join(tempDir(), "package.tgz");
    fs.writeFileSync(archive, pkg.bytes);
    tar.list({ file: archive, sync: true, onReadEntry: (entry) => entries.push(entry.path) });
    assert.deepEqual(entries.sort(), [
      "batch-task.mjs",
      "flow.mjs",
      "flow.mjs.map",
      "manifest.json",
      "source/config/settings.json",
      "source/flows/flow.ts",
    ]);
    // Files are reported as left out; never-shipped folders (.git/, .aws/, .ssh/) are not even entered.
    for (const omitted of pkg.omitted) {
      assert.ok(secretFiles.includes(omitted.path), omitted.path);
      assert.match(omitted.reason, /^never shipped /);
    }
    assert.equal(gunzipSync(pkg.bytes).includes(CANARIES.API_TOKEN), false);
  });
});

/** The Batch job's command (`node --input-type=module -e <bootstrap>`), as node's arguments. */
const JOB_COMMAND = bootstrapCommand().slice(1);

/** A flow's code package uploaded to a local datastore, and the Batch environment that runs its start step. */
async function deployedLocally(root: string): Promise<{ env: NodeJS.ProcessEnv; sha: string; key: string }> {
  const compiled = await compileFlow({ file: CRASH_FLOW, outDir: tempDir(), withS3: true });
  const pkg = await buildCodePackage({
    flow: "CrashFlow",
    flowFile: CRASH_FLOW,
    bundlePath: compiled.bundle,
    sourceRoot: REPO,
    inputs: compiled.inputs,
  });
  const storage = new LocalStorage({ root });
  const { key } = await uploadCodePackage(storage, pkg);
  const env = flowshipEnv(root, {
    TMPDIR: tempDir("flowship-tmp-"),
    FLOWSHIP_FLOW: "CrashFlow",
    FLOWSHIP_CODE_PACKAGE_URL: `${storage.description}/${key}`,
    FLOWSHIP_CODE_PACKAGE_SHA256: pkg.sha256,
    FLOWSHIP_RUN_ID: "sfn-security",
    FLOWSHIP_STEP: "start",
    FLOWSHIP_TASK_ID: "0",
    FLOWSHIP_ATTEMPT: "0",
    FLOWSHIP_PARAMETERS: "{}",
  });
  return { env, sha: pkg.sha256, key };
}

describe("the Batch job command", () => {
  test("refuses a code package whose sha256 does not match, and runs nothing", async () => {
    // given: the package changed after upload
    const root = path.join(tempDir(), ".flowship");
    const { env, sha, key } = await deployedLocally(root);
    const file = path.join(root, key);
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 20]! ^= 0xff;
    fs.writeFileSync(file, bytes);
    // when
    const result = await runNode(JOB_COMMAND, { env });
    // then
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^flowship bootstrap: code package '${root}/${key}' has sha256 [0-9a-f]{64} but the job definition pins ${sha}: refusing to run it \\(it was changed after deploy, or comes from another deploy\\)\\n$`,
      ),
    );
    assert.equal(fs.existsSync(path.join(root, "CrashFlow", "runs")), false, "no run was started");
  });

  test("never runs a flow.mjs planted in a cache folder others can write to", async () => {
    // given: a world-writable folder where the package would be extracted, holding other code
    const root = path.join(tempDir(), ".flowship");
    const { env, sha } = await deployedLocally(root);
    const planted = path.join(env.TMPDIR!, "flowship-code", sha);
    const marker = path.join(env.TMPDIR!, "planted-code-ran");
    fs.mkdirSync(planted, { recursive: true });
    fs.writeFileSync(
      path.join(planted, "flow.mjs"),
      `import fs from "node:fs"; fs.writeFileSync(${JSON.stringify(marker)}, "x");`,
    );
    fs.chmodSync(planted, 0o777);
    // when
    const result = await runNode(JOB_COMMAND, { env });
    // then: the verified package ran instead
    assert.equal(result.code, 0, result.stderr);
    assert.equal(fs.existsSync(marker), false, "the planted code ran");
    const run = await Run.get("CrashFlow/sfn-security", { datastore: root, namespace: null });
    assert.equal((await run.step("start")).taskIds.length, 1);
  });
});

describe("the datastore root is a boundary", () => {
  const MARKER = "MARKER-outside-the-datastore-root";

  /** A folder holding the datastore root and, beside it, a run-shaped folder a traversal would reach. */
  async function rootWithVictim(): Promise<{
    dir: string;
    root: string;
    runId: string;
    outside: () => string;
  }> {
    const dir = tempDir();
    const root = path.join(dir, "store", ".flowship");
    const run = await runCli([CRASH_FLOW, "run"], { env: flowshipEnv(root) });
    assert.equal(run.code, 0, run.stderr);
    const runId = runIdFrom(run.stderr);
    // A copy of the run outside the root, its logs replaced by the marker.
    const victim = path.join(dir, "victim");
    fs.cpSync(path.join(root, "CrashFlow", "runs", runId), victim, { recursive: true });
    for (const entry of fs.readdirSync(victim, { recursive: true })) {
      if (String(entry).endsWith(".log")) fs.writeFileSync(path.join(victim, String(entry)), `${MARKER}\n`);
    }
    fs.writeFileSync(path.join(dir, "passwd"), `${MARKER}\n`);
    // Everything outside the root, to prove nothing there changed.
    const outside = () =>
      JSON.stringify(
        fs
          .readdirSync(dir, { recursive: true })
          .map(String)
          .filter((entry) => !entry.startsWith(`store${path.sep}`) && entry !== "store")
          .sort()
          .map((entry) => {
            const full = path.join(dir, entry);
            return [entry, fs.statSync(full).isFile() ? fs.readFileSync(full, "base64") : "dir"];
          }),
      );
    return { dir, root, runId, outside };
  }

  test("no pathspec, run id, step, task id or tag given to the CLI reads or writes outside it", async () => {
    // given
    const { dir, root, runId, outside } = await rootWithVictim();
    const before = outside();
    const env = flowshipEnv(root);
    const up = path.relative(path.join(root, "CrashFlow", "runs"), dir); // ../../..
    const attacks: string[][] = [
      ["logs", `${up}/victim`],
      ["logs", `${up}/victim/start/0`],
      ["logs", `${dir}/victim`],
      ["logs", `${runId}/start/..`],
      ["logs", `${runId}/../../victim/start/0`],
      ["logs", `${runId}/start/0`, "--attempt", "../../victim"],
      ["dump", `${up}/victim/end`],
      ["dump", `${runId}/../${up}/victim/end/0`],
      ["tag", "add", `${up}/victim`, "x"],
      ["tag", "list", `${up}/victim`],
      ["resume", "--origin-run-id", `${up}/victim`],
      ["resume", "--origin-run-id", `${dir}/victim`],
      ["resume", `${up}/victim`],
    ];
    // when
    for (const args of attacks) {
      const result = await runCli([CRASH_FLOW, ...args], { env });
      // then
      assert.notEqual(result.code, 0, `${args.join(" ")} succeeded`);
      assert.match(result.stderr, /^error: [^\n]+\n$/, `${args.join(" ")}: one line`);
      assert.ok(!(result.stdout + result.stderr).includes(MARKER), `${args.join(" ")} read outside the root`);
    }
    // A tag is a value, never a path: stored in the run's records, nothing created for it.
    const tagged = await runCli([CRASH_FLOW, "tag", "add", runId, `${up}/passwd`, "/etc/passwd"], { env });
    assert.equal(tagged.code, 0, tagged.stderr);
    const run = await Run.get(`CrashFlow/${runId}`, { datastore: root, namespace: null });
    assert.deepEqual([...run.userTags].sort(), [`${up}/passwd`, "/etc/passwd"].sort());
    assert.equal(outside(), before, "something outside the datastore root changed");
  });

  test("no pathspec or name given to the Client API reads outside it", async () => {
    // given
    const { dir, root, runId, outside } = await rootWithVictim();
    const before = outside();
    const up = path.relative(path.join(root, "CrashFlow", "runs"), dir);
    const options = { datastore: root, namespace: null };
    const run = await Run.get(`CrashFlow/${runId}`, options);
    const step = await run.step("start");
    const task = await step.task("0");
    const attempts: [string, () => Promise<unknown>][] = [
      ["Flow.get(../x)", () => Flow.get("../victim", options)],
      ["Flow.get(/abs)", () => Flow.get(dir, options)],
      ["Run.get", () => Run.get(`CrashFlow/${up}/victim`, options)],
      ["Run.get(..)", () => Run.get("CrashFlow/..", options)],
      ["Step.get", () => Step.get(`CrashFlow/${runId}/../${up}/victim`, options)],
      ["Task.get", () => Task.get(`CrashFlow/${runId}/start/..`, options)],
      ["Task.get(abs)", () => Task.get(`CrashFlow/${runId}/start/${dir}`, options)],
      ["flow.run", async () => (await Flow.get("CrashFlow", options)).run(`${up}/victim`)],
      ["run.step", () => run.step(`../${up}/victim`)],
      ["step.task", () => step.task("../../victim")],
      ["task.artifact", async () => task.artifact(`../../../${up}/passwd`)],
    ];
    // when / then
    for (const [what, attempt] of attempts) {
      await assert.rejects(attempt(), { code: /^FS_(PATHSPEC_INVALID|CLIENT_NOT_FOUND)$/ }, what);
    }
    assert.equal(outside(), before);
  });

  test("no run, step, task or flow name given to a Batch task reads or writes outside it", async () => {
    // given
    const { dir, root } = await rootWithVictim();
    const { env } = await deployedLocally(root);
    const storage = new LocalStorage({ root });
    const up = path.relative(path.join(root, "CrashFlow", "runs"), dir);
    const cases: [Record<string, string>, number, RegExp][] = [
      [{ FLOWSHIP_RUN_ID: `${up}/victim` }, 2, /^error: Invalid run id '[./]+victim'/],
      [{ FLOWSHIP_STEP: `../${up}/victim` }, 1, /^error: Flow 'CrashFlow' has no step/],
      [
        { FLOWSHIP_TASK_ID: `../../${up}/victim` },
        1,
        /^error: Task id '[./]+victim' is not made of whole numbers/,
      ],
      [{ FLOWSHIP_FLOW: `../${up}/victim` }, 1, /^error: The code package defines no flow named/],
      [
        { FLOWSHIP_CODE_PACKAGE_URL: `${storage.description}/../../victim/flow.tgz` },
        1,
        /^flowship bootstrap: ENOENT/,
      ],
    ];
    const before = fs
      .readdirSync(dir, { recursive: true })
      .map(String)
      .filter((e) => !e.startsWith("store"))
      .sort();
    for (const [overrides, code, message] of cases) {
      // when
      // A fresh temporary folder each time: a package extracted by an earlier case is not read again.
      const result = await runNode(JOB_COMMAND, {
        env: { ...env, TMPDIR: tempDir("flowship-tmp-"), ...overrides },
      });
      // then
      assert.equal(result.code, code, JSON.stringify(overrides));
      assert.match(result.stderr, message, JSON.stringify(overrides));
      assert.ok(!result.stderr.includes(MARKER));
    }
    assert.deepEqual(
      fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .filter((e) => !e.startsWith("store"))
        .sort(),
      before,
      "a Batch task wrote outside the datastore root",
    );
  });
});

const ACCOUNT_ARN = `arn:aws:states:eu-west-1:${MOTO_ACCOUNT}`;
const MACHINE_ARN = `${ACCOUNT_ARN}:stateMachine:ParameterFlow`;

describe("production tokens", () => {
  let moto: Moto;
  /** The production token alice's deploy made. */
  let token = "";
  const FLOW = "examples/parameter_flow.ts";
  /** A user with complete AWS settings whose AWS is moto. */
  const userEnv = (user: string): NodeJS.ProcessEnv =>
    deployerEnv(tempDir(), moto, { FLOWSHIP_USER: user, AWS_SESSION_TOKEN: undefined });
  /** Step Functions' operations of the requests sent since `from`. */
  const sfnCalls = (from: number) =>
    moto.requests
      .slice(from)
      .filter((r) => r.service === "states")
      .map(callName);

  before(async () => {
    moto = await startMoto();
    // given: ParameterFlow deployed by alice with the real CLI, and a run of it going on
    await prepareAccount(moto);
    const created = await runCli([FLOW, "step-functions", "create"], { env: userEnv("alice") });
    assert.equal(created.code, 0, created.stderr);
    token = /New production token (\S+):/.exec(created.stdout)![1]!;
    await sdkClients(moto).sfn.send(
      new StartExecutionCommand({ stateMachineArn: `${MACHINE_ARN}:production`, name: "mine" }),
    );
  });
  after(() => moto?.close());

  test("a deploy by another user is refused without the production token, or with a wrong one", async () => {
    for (const extra of [[], ["--authorize", "parameterflow-0-guess"]]) {
      // given
      const sent = moto.requests.length;
      // when
      const result = await runCli([FLOW, "step-functions", "create", ...extra], { env: userEnv("mallory") });
      // then
      assert.equal(result.code, 1, result.stderr);
      assert.equal(
        result.stderr,
        extra.length === 0
          ? "error: Not authorized to deploy a new version of the production flow 'ParameterFlow': it was deployed by 'alice', not 'mallory'. Pass its production token with --authorize TOKEN (ask alice; it is the namespace production:TOKEN of its runs).\n"
          : "error: Not authorized to deploy a new version of the production flow 'ParameterFlow': 'parameterflow-0-guess' is not its production token. Pass the token of the namespace production:TOKEN of its runs with --authorize TOKEN.\n",
      );
      assert.deepEqual(
        moto.requests.slice(sent).map(callName),
        ["states:DescribeStateMachine", "states:ListTagsForResource"],
        "it only read",
      );
    }
  });

  test("terminate refuses a run of another deployment, and another user without the token", async () => {
    const status = async () =>
      (
        await sdkClients(moto).sfn.send(
          new DescribeExecutionCommand({ executionArn: `${ACCOUNT_ARN}:execution:ParameterFlow:mine` }),
        )
      ).status;
    // given / when: the owner names a run that is not an execution of this state machine
    let sent = moto.requests.length;
    const theirs = await runCli([FLOW, "step-functions", "terminate", "sfn-theirs"], {
      env: userEnv("alice"),
    });
    // then
    assert.equal(theirs.code, 1, theirs.stderr);
    assert.equal(
      theirs.stderr,
      "error: Run is not an execution of state machine 'ParameterFlow': 'sfn-theirs'. List its runs with step-functions list-runs.\n",
    );
    assert.ok(!sfnCalls(sent).includes("states:StopExecution"), "nothing was stopped");

    // given / when: another user names this deployment's running run without its token
    sent = moto.requests.length;
    const stranger = await runCli([FLOW, "step-functions", "terminate", "sfn-mine"], {
      env: userEnv("mallory"),
    });
    // then
    assert.equal(stranger.code, 1, stranger.stderr);
    assert.match(
      stranger.stderr,
      /^error: Not authorized to terminate a run of the production flow 'ParameterFlow': it was deployed by 'alice', not 'mallory'\./,
    );
    assert.ok(!sfnCalls(sent).includes("states:StopExecution"), "nothing was stopped");
    assert.equal(await status(), "RUNNING");

    // and with the token, the same user may
    sent = moto.requests.length;
    const authorized = await runCli([FLOW, "step-functions", "terminate", "sfn-mine", "--authorize", token], {
      env: userEnv("mallory"),
    });
    assert.equal(authorized.code, 0, authorized.stderr);
    assert.ok(sfnCalls(sent).includes("states:StopExecution"));
    assert.equal(await status(), "ABORTED");
    const report = await moto.validate();
    assert.deepEqual(report.findings, []);
    assert.ok(report.checked > 0);
  });
});
