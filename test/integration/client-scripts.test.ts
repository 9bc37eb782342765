// Client scripts run from any folder with `flowship exec`: no flowship installed beside them, a
// .js file with top-level await in a folder without "type": "module", TypeScript, arguments,
// exit codes, and errors shown as the script's (a missing run in one line).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root);
const scripts = tempDir("flowship-scripts-");
let runId = "";

function script(name: string, text: string): string {
  const file = path.join(scripts, name);
  fs.writeFileSync(file, text);
  return file;
}

describe("flowship exec", () => {
  before(async () => {
    const result = await runCli([path.join(REPO, "examples/parameter_flow.ts"), "run", "--alpha", "0.25"], {
      env,
    });
    assert.equal(result.code, 0, result.stderr);
    runId = runIdFrom(result.stderr);
  });

  test("a .js script with top-level await reads the latest run, from a folder with no flowship", async () => {
    const file = script(
      "latest.js",
      `import { Flow } from "flowship/client";
const flow = await Flow.get(process.argv[2]);
const run = await flow.latestSuccessfulRun();
console.log(run.id, await run.data.alpha);
process.exitCode = 3;
`,
    );
    const result = await runCli(["exec", file, "ParameterFlow"], { env, cwd: scripts });
    assert.equal(result.stderr, "");
    assert.equal(result.stdout, `${runId} 0.25\n`);
    assert.equal(result.code, 3, "the script's exit code");
    assert.deepEqual(fs.readdirSync(scripts).sort(), ["latest.js"], "nothing written beside the script");
  });

  test("a TypeScript script with the flow's artifact types", async () => {
    const file = script(
      "typed.ts",
      `import type { ArtifactsOf } from "flowship";
import { Run } from "flowship/client";
import type parameterFlow from "${path.join(REPO, "examples/parameter_flow.ts")}";
const run = await Run.get<ArtifactsOf<typeof parameterFlow>>(\`ParameterFlow/\${process.argv[2]}\`);
const alpha: number | undefined = await run.data?.alpha;
console.log("alpha", alpha);
`,
    );
    const result = await runCli(["exec", file, runId], { env, cwd: scripts });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "alpha 0.25\n");
  });

  test("a script ends as under node: its asynchronous work finishes (beforeExit's too), and a later exitCode or an unhandled rejection sets the exit code", async () => {
    const later = await runCli(
      [
        "exec",
        script(
          "later.ts",
          `async function main(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 100));
  console.log("main finished");
  process.exitCode = 4;
}
main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
setTimeout(() => console.log("timer fired"), 150);
let flushed = false;
process.on("beforeExit", () => {
  if (flushed) return;
  flushed = true;
  setTimeout(() => {
    console.log("flushed before exit");
    process.exitCode = 5;
  }, 20);
});
`,
        ),
      ],
      { env, cwd: scripts },
    );
    assert.equal(later.stderr, "");
    assert.equal(later.stdout, "main finished\ntimer fired\nflushed before exit\n");
    assert.equal(later.code, 5, "the work a beforeExit handler scheduled ran, as under node");
    const rejected = await runCli(
      [
        "exec",
        script(
          "rejects.ts",
          `async function main(): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 50));
  throw new Error("late failure");
}
main();
`,
        ),
      ],
      { env, cwd: scripts },
    );
    assert.equal(rejected.code, 1);
    assert.match(rejected.stderr, /\nError: late failure\n\s+at main \(.*rejects\.ts:3:9\)/);
  });

  test("a run that does not exist is a one-line error; a script's own throw shows its stack", async () => {
    const missing = await runCli(
      [
        "exec",
        script(
          "missing.ts",
          `import { Run } from "flowship/client";\nawait Run.get("ParameterFlow/nope");\n`,
        ),
      ],
      {
        env,
        cwd: scripts,
      },
    );
    assert.match(
      missing.stderr,
      /^error: Run not found: 'ParameterFlow\/nope' is not in the datastore .*\n$/,
    );
    assert.equal(missing.code, 1);
    const thrown = await runCli(["exec", script("throws.ts", `\n\nthrow new Error("bad input");\n`)], {
      env,
      cwd: scripts,
    });
    assert.equal(thrown.code, 1);
    assert.match(thrown.stderr, /^Error: bad input\n\s+at .*throws\.ts:3:7/);
    const absent = await runCli(["exec", path.join(scripts, "absent.ts")], { env, cwd: scripts });
    assert.equal(absent.stderr, `error: Script not found: '${path.join(scripts, "absent.ts")}'.\n`);
    assert.equal(absent.code, 2);
  });

  test("new Flow(name), Metaflow's Flow('X'), is a one-line usage error pointing at Flow.get", async () => {
    const file = script(
      "constructed.ts",
      `import { Flow, Run, Step, Task } from "flowship/client";
for (const [C, arg] of [[Run, "ParameterFlow/1"], [Step, "ParameterFlow/1/start"], [Task, "ParameterFlow/1/start/0"]]) {
  try { new (C as any)(arg); } catch (e) { console.log((e as any).code); }
}
new (Flow as any)("ParameterFlow");
`,
    );
    const result = await runCli(["exec", file], { env, cwd: scripts });
    assert.equal(result.stdout, "FS_CLIENT_CONSTRUCTOR\n".repeat(3));
    assert.equal(
      result.stderr,
      `error: new Flow("ParameterFlow") does not open a flow: use await Flow.get("ParameterFlow") (Metaflow's Flow('ParameterFlow')).\n`,
    );
    assert.equal(result.code, 2);
  });
});
