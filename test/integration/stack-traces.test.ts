// A failing step's stack trace shows the user's code only: frames mapped back to the TypeScript
// they wrote, every file named exists, and flowship's own frames (the executor, the generated
// entry module) are left out — in a task process and in a task thread alike.
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

describe("stack traces of failing steps", () => {
  for (const isolation of ["process", "thread"]) {
    test(`name the user's files and lines only (${isolation})`, async () => {
      const result = await runCli([file, "run", "--isolation", isolation], { env });
      assert.equal(result.code, 1, result.stderr);
      const frames = result.stderr.split("\n").filter((line) => /\]\s+at /.test(line));
      const helper = path.relative(REPO, path.join(dir, "helper.ts"));
      const flowFile = path.relative(REPO, file);
      assert.match(frames[0] ?? "", new RegExp(`at check \\(${helper.replace(/[.]/g, "\\.")}:2:\\d+\\)$`));
      assert.match(frames[1] ?? "", new RegExp(`\\(${flowFile.replace(/[.]/g, "\\.")}:4:\\d+\\)$`));
      for (const frame of frames) {
        const where = /\(?([^\s()]+):\d+:\d+\)?$/.exec(frame)?.[1];
        if (!where || where.startsWith("node:")) continue;
        assert.ok(fs.existsSync(path.resolve(REPO, where)), `${frame} names a file that exists`);
        assert.doesNotMatch(frame, /executor|flowship-entry|task-thread/, "no frame of flowship's own");
      }
    });
  }
});
