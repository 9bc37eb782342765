// A flow with project(), from the command line: a local run is in the user's own branch, a
// simulated production deploy (`simulate --production`) in `prod` — each with `project:` and
// `project_branch:` system tags and `current.project`, in steps and in parameter defaults —,
// users whose names clean up alike keep branches of their own, FLOWSHIP_BRANCH stands for
// --branch, and flags that make no sense are one-line usage errors.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { sha256 } from "../../src/util/hash.js";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";

const dir = tempDir("flowship-projects-");
const file = path.join(dir, "scoring.ts");
fs.writeFileSync(
  file,
  `import { current, flow, project } from "flowship";
export default flow("ScoringFlow")
  .decorator(project({ name: "fraud" }))
  .parameter("startedBy", { type: "json", default: () => ({ branch: current.project?.branch, user: current.username, production: current.isProduction }) })
  .step("start", (self) => { self.where = current.project; }, { next: "end" })
  .step("end", () => {});
`,
);
const env = flowshipEnv(path.join(dir, ".flowship"), {
  FLOWSHIP_USER: "Alice.Smith",
  FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
});

/** What the parameter default of run `runId` saw in `current`. */
async function startedBy(runId: string): Promise<unknown> {
  const run = await Run.get(`ScoringFlow/${runId}`, {
    datastore: path.join(dir, ".flowship"),
    namespace: null,
  });
  return (await run.parameters()).startedBy;
}

async function runFacts(runId: string) {
  const script = path.join(dir, `read-${runId}.ts`);
  fs.writeFileSync(
    script,
    `import { Run, namespace } from "flowship/client";
namespace(null);
const run = await Run.get("ScoringFlow/${runId}");
console.log(JSON.stringify({ systemTags: run.systemTags.filter((t) => t.startsWith("project")), where: await run.data.where }));
`,
  );
  const read = await runCli(["exec", script], { env });
  assert.equal(read.code, 0, read.stderr);
  return JSON.parse(read.stdout) as { systemTags: string[]; where: unknown };
}

describe("flows with a project", () => {
  test("a local run is in the user's own branch", async () => {
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await runFacts(runIdFrom(result.stdout + result.stderr)), {
      systemTags: ["project:fraud", `project_branch:user.alice-smith`],
      where: {
        name: "fraud",
        branch: `user.alice-smith`,
        isProduction: false,
        flowName: `fraud_user-alice-smith_ScoringFlow`,
      },
    });
  });

  test("users whose names clean up alike keep branches of their own", async () => {
    // given: names that differ only in letters a branch name cannot hold, or hold none
    const users = ["jörg", "jürg", "王", "alice"];
    // when
    const names = await Promise.all(
      users.map(async (user) => {
        const result = await runCli([file, "step-functions", "create", "--only-json"], {
          env: { ...env, FLOWSHIP_USER: user },
        });
        assert.equal(result.code, 0, result.stderr);
        return /^State machine '([^']+)'/.exec(result.stderr)?.[1];
      }),
    );
    // then
    const hash = (user: string) => sha256(user).slice(0, 8);
    assert.deepEqual(names, [
      `fraud_user-jorg-${hash("jörg")}_ScoringFlow`,
      `fraud_user-jurg-${hash("jürg")}_ScoringFlow`,
      `fraud_user-${hash("王")}_ScoringFlow`,
      "fraud_user-alice_ScoringFlow",
    ]);
  });

  test("run --branch puts a local run in a test branch", async () => {
    const result = await runCli([file, "run", "--branch", "staging"], { env });
    assert.equal(result.code, 0, result.stderr);
    const facts = await runFacts(runIdFrom(result.stdout + result.stderr));
    assert.deepEqual(facts.systemTags, ["project:fraud", "project_branch:test.staging"]);
  });

  test("FLOWSHIP_BRANCH stands for --branch; a parameter default sees the branch in current", async () => {
    // when
    const result = await runCli([file, "run"], { env: { ...env, FLOWSHIP_BRANCH: "nightly" } });
    // then
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stdout + result.stderr);
    assert.deepEqual((await runFacts(runId)).systemTags, ["project:fraud", "project_branch:test.nightly"]);
    assert.deepEqual(await startedBy(runId), {
      branch: "test.nightly",
      user: "Alice.Smith",
      production: false,
    });
    // --production wins over it, and a bad one names the variable
    const production = await runCli([file, "step-functions", "create", "--only-json", "--production"], {
      env: { ...env, FLOWSHIP_BRANCH: "Not A Branch" },
    });
    assert.equal(production.code, 0, production.stderr);
    assert.match(production.stdout, /"StartAt"/);
    const bad = await runCli([file, "run"], { env: { ...env, FLOWSHIP_BRANCH: "Not A Branch" } });
    assert.equal(
      bad.stderr,
      "error: Invalid FLOWSHIP_BRANCH 'Not A Branch': 1 to 32 lowercase letters, digits, '_' or '-', starting with a letter or digit.\n",
    );
    assert.equal(bad.code, 2);
  });

  test("simulate --production runs in the prod branch", async () => {
    const result = await runCli([file, "step-functions", "simulate", "--production"], {
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    const runId = simulatedRunIdFrom(result.stderr);
    assert.deepEqual(await runFacts(runId), {
      systemTags: ["project:fraud", "project_branch:prod"],
      where: { name: "fraud", branch: "prod", isProduction: true, flowName: "fraud_prod_ScoringFlow" },
    });
    // Defaults are evaluated when the run starts, in its start step, as the production user.
    assert.deepEqual(await startedBy(runId), { branch: "prod", user: "step-functions", production: true });
  });

  test("branch flags that make no sense are one-line usage errors", async () => {
    const both = await runCli([file, "step-functions", "create", "--branch", "x", "--production"], { env });
    assert.equal(
      both.stderr,
      "error: --branch and --production cannot be combined: production is its own branch.\n",
    );
    const bad = await runCli([file, "step-functions", "trigger", "--branch", "Not A Branch"], { env });
    assert.equal(
      bad.stderr,
      "error: Invalid --branch 'Not A Branch': 1 to 32 lowercase letters, digits, '_' or '-', starting with a letter or digit.\n",
    );
    const named = await runCli([file, "step-functions", "delete", "--name", "Other"], {
      env: {
        ...env,
        FLOWSHIP_AWS_REGION: "eu-west-1",
        FLOWSHIP_AWS_SFN_ROLE: "arn:aws:iam::123456789012:role/flowship-step-functions",
      },
    });
    assert.match(named.stderr, /^error: --name does not apply to flow 'ScoringFlow' of project 'fraud': /);
    const plain = await runCli(["examples/parameter_flow.ts", "step-functions", "trigger", "--production"], {
      env,
    });
    assert.match(plain.stderr, /^error: Unknown option '--production'/);
    for (const result of [both, bad, named, plain]) assert.equal(result.code, 2, result.stderr);
    const reserved = path.join(dir, "reserved.ts");
    fs.writeFileSync(
      reserved,
      `import { flow, project } from "flowship";
export default flow("BranchParamFlow").decorator(project({ name: "fraud" })).parameter("branch", { default: "main" })
  .step("start", () => {}, { next: "end" }).step("end", () => {});
`,
    );
    const check = await runCli([reserved, "check"], { env });
    assert.notEqual(check.code, 0);
    assert.match(
      check.stderr,
      /Parameter name 'branch' is reserved in a flow with a project \(--branch chooses the project branch\)/,
    );
  });
});
