// What a real Batch container would run: every example deployed through the real create path
// to moto (test/helpers/moto.ts: Step Functions, Batch and the code package's S3 in one account),
// and every job running the job definition's command *as moto holds it* in a bubblewrap sandbox with
// only Batch's environment, `npx` and `npm` replaced by failing stubs and the package registry at a
// closed port. The runs end with the artifacts of local runs. A package that is not the one the
// job definition pins — tampered with, or built from another checkout — never runs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { DescribeJobDefinitionsCommand } from "@aws-sdk/client-batch";
import { DescribeStateMachineCommand } from "@aws-sdk/client-sfn";
import type { DeployClients } from "../../src/aws/deploy/deployment.js";
import { deployTarget } from "../../src/aws/deploy/resource-names.js";
import { executionInput } from "../../src/aws/deploy/trigger.js";
import { buildCodePackage } from "../../src/aws/package/code-package.js";
import { runContainerCommand } from "../../src/aws/simulate/container-sandbox.js";
import { type ExecuteDefinitionOptions, executeDefinition } from "../../src/aws/simulate/simulate.js";
import type { Storage } from "../../src/datastore/storage.js";
import { compileFlow } from "../../src/run/compile-flow.js";
import { resolveParameters } from "../../src/run/resolve-parameters.js";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { deployFile, testSettings } from "../helpers/deploy-fixtures.js";
import { type Moto, startMoto } from "../helpers/moto.js";
import {
  motoDeployClients,
  motoStorage,
  prepareAccount,
  S3_ROOT,
  sdkClients,
} from "../helpers/moto-account.js";
import { endArtifacts } from "../helpers/run-artifacts.js";

const EXAMPLES: [string, Record<string, string>][] = [
  ["examples/parameter_flow.ts", { alpha: "0.5" }],
  ["examples/hourly_flow.ts", {}],
  ["examples/branch_flow.ts", {}],
  ["examples/foreach_flow.ts", { count: "4" }],
  ["examples/nested_foreach_flow.ts", {}],
  ["examples/resilient_flow.ts", {}],
];

const s3Root = S3_ROOT;
let moto: Moto;
let clients: DeployClients;
let storage: Storage;
const work = tempDir("flowship-job-command-");
const localRoot = path.join(work, "local");
const outDir = path.join(work, "_code");
/** Anything that asks npm or npx for a package fails loudly, with its own exit code. */
const stub = path.join(work, "registry-stub");
const STUB_EXIT = 97;
const overlays = [
  [stub, "/usr/bin/npx"],
  [stub, "/usr/bin/npm"],
] as const;

/** Deploys a flow file as `create` does and returns how its execution would run. */
async function deployed(file: string, text: Record<string, string>, executionName: string) {
  const result = await deployFile({ clients }, file, { s3Root, storage, outDir });
  // What Step Functions and Batch now hold: this deploy's version and job definition revision.
  const aws = sdkClients(moto);
  const machine = deployTarget(testSettings(s3Root), result.flow.name).stateMachineArn;
  const { definition } = await aws.sfn.send(
    new DescribeStateMachineCommand({ stateMachineArn: `${machine}:${result.version}` }),
  );
  const { jobDefinitions } = await aws.batch.send(
    new DescribeJobDefinitionsCommand({ jobDefinitions: [result.jobDefinitionArn] }),
  );
  assert.equal(jobDefinitions?.length, 1, result.jobDefinitionArn);
  const values = await resolveParameters(result.flow, { text }, { user: "alice" });
  const given = Object.fromEntries(Object.keys(text).map((name) => [name, values[name]]));
  const options: ExecuteDefinitionOptions = {
    flowName: result.flow.name,
    definition: JSON.parse(definition!),
    jobDefinition: jobDefinitions![0] as ExecuteDefinitionOptions["jobDefinition"],
    storage,
    datastoreRoot: s3Root,
    input: JSON.parse(executionInput(result.flow.name, given, result.deployment.stats.parametersBudgetChars)),
    executionName,
    // Only what this machine needs to reach its S3 (the simulator closes the registry itself): moto
    // itself, not the recording proxy, which is for what the deploy sends and would slow the jobs.
    containerEnv: { FLOWSHIP_S3_ENDPOINT: moto.directEndpoint },
    retryIntervalScale: 0.001,
    sandbox: "bubblewrap",
    overlays,
    print: () => {},
  };
  return { result, options };
}

describe("the registered job command, run in a sandbox as a container would", () => {
  before(async () => {
    moto = await startMoto();
    await prepareAccount(moto);
    clients = motoDeployClients(moto);
    storage = await motoStorage(moto, s3Root);
    fs.writeFileSync(
      stub,
      `#!/bin/sh\necho "a task asked the package registry: $0 $*" >&2\nexit ${STUB_EXIT}\n`,
      {
        mode: 0o755,
      },
    );
  });
  after(async () => {
    const report = await moto?.validate();
    await moto?.close();
    assert.deepEqual(report?.findings, []);
    assert.ok(report!.checked > 0);
  });

  test("the sandbox really hides the project and stubs npx", async () => {
    const lines: string[] = [];
    const code = await runContainerCommand("bubblewrap", {
      command: [
        "sh",
        "-c",
        `test ! -e ${JSON.stringify(path.join(REPO, "package.json"))} && test -z "$AWS_SECRET_ACCESS_KEY" && pwd && npx --version`,
      ],
      env: { PATH: "/usr/bin:/bin" },
      overlays,
      print: (line) => lines.push(line),
    });
    assert.equal(code, STUB_EXIT, lines.join("\n"));
    assert.deepEqual(lines, ["/home/task", "a task asked the package registry: /usr/bin/npx --version"]);
  });

  for (const [file, text] of EXAMPLES) {
    test(`${path.basename(file)}: every job succeeds and the run equals a local run`, async () => {
      // given: a local run
      const args = Object.entries(text).flatMap(([name, value]) => [`--${name}`, value]);
      const local = await runCli([file, "run", ...args], { env: flowshipEnv(localRoot) });
      assert.equal(local.code, 0, local.stderr);
      // when: deployed, and each Batch job runs the registered command in the sandbox
      const lines: string[] = [];
      const { result, options } = await deployed(file, text, `job-${path.basename(file, ".ts")}`);
      const outcome = await executeDefinition({ ...options, print: (line) => lines.push(line) });
      // then
      assert.equal(outcome.status, "SUCCEEDED", `${outcome.error}\n${lines.join("\n")}`);
      assert.ok(!lines.some((l) => l.includes("asked the package registry")), lines.join("\n"));
      const flow = result.flow.name;
      assert.deepEqual(
        await endArtifacts(`${flow}/${outcome.runId}`, {
          datastore: { kind: "s3", root: s3Root, endpoint: moto.endpoint },
          namespace: result.namespace,
        }),
        await endArtifacts(`${flow}/${runIdFrom(local.stderr)}`, { datastore: localRoot, namespace: null }),
      );
    });
  }

  test("npm in a simulated job finds no registry", async () => {
    // given: a flow whose step asks the registry npm is configured with
    const dir = path.join(work, "registry-flow");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "registry_flow.ts");
    fs.writeFileSync(
      file,
      [
        `import { flow } from "flowship";`,
        `export default flow("RegistryFlow")`,
        `  .step("start", async (self) => {`,
        `    const registry = process.env.npm_config_registry ?? "https://registry.npmjs.org/";`,
        `    self.reached = await fetch(registry).then(() => registry, (e) => "unreachable: " + e.cause?.code);`,
        `  }, { next: "end" })`,
        `  .step("end", () => {});`,
      ].join("\n"),
    );
    // when
    const { result, options } = await deployed(file, {}, "registry");
    const outcome = await executeDefinition(options);
    // then
    assert.equal(outcome.status, "SUCCEEDED", outcome.error);
    const task = await endArtifacts(`RegistryFlow/${outcome.runId}`, {
      datastore: { kind: "s3", root: s3Root, endpoint: moto.endpoint },
      namespace: result.namespace,
    });
    assert.equal(task.reached, "unreachable: ECONNREFUSED");
  });

  test("a package built from another checkout, put where the deployed one was, never runs", async () => {
    // given: ParameterFlow deployed from this checkout
    const { result, options } = await deployed(
      "examples/parameter_flow.ts",
      { alpha: "0.5" },
      "other-checkout",
    );
    // and: another checkout's ParameterFlow, whose start step leaves a mark, uploaded in its place
    const other = path.join(work, "other-checkout");
    fs.mkdirSync(other, { recursive: true });
    const marker = path.join(work, "other-checkout-ran");
    fs.writeFileSync(
      path.join(other, "parameter_flow.ts"),
      fs
        .readFileSync(path.join(REPO, "examples/parameter_flow.ts"), "utf8")
        .replace(/^import .*$/m, (line) => `${line}\nimport { writeFileSync } from "node:fs";`)
        .replace("(self) => {", `(self) => {\n    writeFileSync(${JSON.stringify(marker)}, "ran");`),
    );
    const compiled = await compileFlow({ file: path.join(other, "parameter_flow.ts"), outDir, withS3: true });
    const pkg = await buildCodePackage({
      flow: "ParameterFlow",
      flowFile: compiled.source,
      bundlePath: compiled.bundle,
      sourceRoot: other,
      inputs: compiled.inputs,
    });
    assert.notEqual(pkg.sha256, result.codePackage.url.match(/([0-9a-f]{64})\.tgz$/)![1]);
    await storage.write(result.codePackage.key, [pkg.bytes]);
    // when
    const lines: string[] = [];
    const outcome = await executeDefinition({
      ...options,
      // No sandbox here: if the other code ran, its mark would land where this test looks.
      sandbox: "none",
      print: (line) => lines.push(line),
    });
    // then
    assert.equal(outcome.status, "FAILED");
    assert.ok(
      lines.some((l) =>
        /^flowship bootstrap: code package '.*' has sha256 .* but the job definition pins/.test(l),
      ),
      lines.join("\n"),
    );
    assert.equal(fs.existsSync(marker), false, "the other checkout's code ran");
  });
});
