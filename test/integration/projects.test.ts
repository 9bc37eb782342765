// A flow with project(), from the command line: a local run is in the user's own branch, a
// simulated production deploy (`simulate --production`) in `prod` — each with `project:` and
// `project_branch:` system tags and `current.project` —, users whose names clean up alike keep
// branches of their own, and flags that make no sense are one-line usage errors.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { sha256 } from "../../src/util/hash.js";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";

const dir = tempDir("flowship-projects-");
const file = path.join(dir, "scoring.ts");
fs.writeFileSync(
  file,
  `import { current, flow, project } from "flowship";
export default flow("ScoringFlow")
  .decorator(project({ name: "fraud" }))
  .step("start", (self) => { self.where = current.project; }, { next: "end" })
  .step("end", () => {});
`,
);
const env = flowshipEnv(path.join(dir, ".flowship"), {
  FLOWSHIP_USER: "Alice.Smith",
  FLOWSHIP_CONFIG: path.join(dir, "absent.json"),
});

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

  test("simulate --production runs in the prod branch", async () => {
    const result = await runCli([file, "step-functions", "simulate", "--production"], {
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(await runFacts(simulatedRunIdFrom(result.stderr)), {
      systemTags: ["project:fraud", "project_branch:prod"],
      where: { name: "fraud", branch: "prod", isProduction: true, flowName: "fraud_prod_ScoringFlow" },
    });
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
