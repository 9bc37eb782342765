// A failing step's stack trace shows the user's code only: frames mapped back to the TypeScript
// they wrote, every file named exists, and flowship's own frames (the executor, the generated
// entry module) are left out — in a task process and in a task thread alike; a production task (the
// deployed code package, unpacked into a folder of its own) names the same relative paths as a local run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { flowshipEnv, REPO, runCli, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";

const dir = tempDir();
const env = flowshipEnv(path.join(dir, ".flowship"));
fs.writeFileSync(
  path.join(dir, "helper.ts"),
  `export function check(value: number): number {\n  if (value > 1) throw new RangeError("too big: " + value);\n  return value;\n}\n`,
);
const file = path.join(dir, "traced.ts");
fs.writeFileSync(
  file,
  flowSource(`import { check } from "./helper.ts";
export default flow("Traced")
  .step("start", (self) => { self.checked = check(2); }, { next: "end" })
  .step("end", () => {});`),
);

/** A project folder: the flow in flows/, what it imports in lib/ (commands run from the project). */
const project = path.join(tempDir(), "project");
fs.mkdirSync(path.join(project, "flows"), { recursive: true });
fs.mkdirSync(path.join(project, "lib"));
fs.copyFileSync(path.join(dir, "helper.ts"), path.join(project, "lib/helper.ts"));
fs.writeFileSync(
  path.join(project, "flows/traced.ts"),
  flowSource(`import { check } from "../lib/helper.ts";
export default flow("Traced")
  .step("start", (self) => { self.checked = check(2); }, { next: "end" })
  .step("end", () => {});`),
);

/** The file:line of each frame of the failed step, as printed. */
function framesOf(stderr: string): string[] {
  return stderr
    .split("\n")
    .filter((line) => /\]\s+at /.test(line))
    .map((line) => /\(?([^\s()]+:\d+):\d+\)?$/.exec(line)?.[1] ?? line);
}

describe("stack traces of failing steps", () => {
  test("name the flow's own relative paths in a production task as in a local run", async () => {
    // given: the same failing step run locally and as a Batch job of the deployed package (simulate)
    const projectEnv = flowshipEnv(path.join(project, ".flowship"));
    // when
    const [local, production] = await Promise.all([
      runCli(["flows/traced.ts", "run"], { env: projectEnv, cwd: project }),
      runCli(["flows/traced.ts", "step-functions", "simulate"], { env: projectEnv, cwd: project }),
    ]);
    // then: not the folder the package was unpacked into (../../tmp/flowship-<sha>-…/source/…)
    assert.equal(local.code, 1, local.stderr);
    assert.notEqual(production.code, 0, production.stderr);
    assert.deepEqual(framesOf(local.stderr), ["lib/helper.ts:2", "flows/traced.ts:4"]);
    assert.deepEqual(framesOf(production.stderr), ["lib/helper.ts:2", "flows/traced.ts:4"]);
  });

  for (const isolation of ["process", "thread"]) {
    test(`name the user's files and lines only (${isolation})`, async () => {
      const result = await runCli([file, "run", "--isolation", isolation], { env });
      assert.equal(result.code, 1, result.stderr);
      const frames = result.stderr.split("\n").filter((line) => /\]\s+at /.test(line));
      const helper = path.relative(REPO, path.join(dir, "helper.ts"));
      const flowFile = path.relative(REPO, file);
      assert.match(frames[0] ?? "", new RegExp(`at check \\(${helper.replace(/[.]/g, "\\.")}:2:\\d+\\)$`));
      // the step's function is named after its step, not V8's guess from the call chain
      assert.match(frames[1] ?? "", new RegExp(`at start \\(${flowFile.replace(/[.]/g, "\\.")}:4:\\d+\\)$`));
      for (const frame of frames) {
        const where = /\(?([^\s()]+):\d+:\d+\)?$/.exec(frame)?.[1];
        if (!where || where.startsWith("node:")) continue;
        assert.ok(fs.existsSync(path.resolve(REPO, where)), `${frame} names a file that exists`);
        assert.doesNotMatch(frame, /executor|flowship-entry|task-thread/, "no frame of flowship's own");
      }
    });
  }
});
