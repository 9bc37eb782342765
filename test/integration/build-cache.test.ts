// A cached flow is run without esbuild only while a build would give the same bundle
// (run/build-cache.ts): an edited file and a new file that changes what an import finds
// both make the next run build again.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { flowshipEnv, runCli, tempDir } from "../helpers/cli.js";

const FLOW = `import { flow } from "flowship";
import { message } from "./lib";

export default flow("BuildCache")
  .step("start", () => { console.log(\`message=\${message}\`); }, { next: "end" })
  .step("end", () => {})
  .run();
`;

test("a cached build is reused until a file it read changes or a new file shadows an import", async () => {
  const dir = tempDir();
  const root = path.join(dir, "store");
  fs.writeFileSync(path.join(dir, "flow.ts"), FLOW);
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "lib", "index.ts"), `export const message = "from lib/index";\n`);
  const records = path.join(root, "_code", "builds");
  const run = async (expected: string) => {
    const result = await runCli(["flow.ts", "run"], { cwd: dir, env: flowshipEnv(root) });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`message=${expected}`));
    // When a build record was last written (the flow's; the task host's program comes built
    // with dist/, so none is recorded for it; 0 before any).
    const names = fs.existsSync(records) ? fs.readdirSync(records) : [];
    return Math.max(0, ...names.map((name) => fs.statSync(path.join(records, name)).mtimeMs));
  };
  // The first run creates the datastore beside the flow while it builds, so its build is not
  // recorded (the folder changed after the build began); the second's is.
  await run("from lib/index");
  const built = await run("from lib/index");
  // Nothing changed: the recorded build is used, not written again.
  assert.equal(await run("from lib/index"), built);
  // lib.ts, beside lib/, is what `./lib` resolves to now.
  fs.writeFileSync(path.join(dir, "lib.ts"), `export const message = "from lib.ts";\n`);
  const rebuilt = await run("from lib.ts");
  assert.notEqual(rebuilt, built);
  // An edit of the same length in the same millisecond still shows: content is compared.
  fs.writeFileSync(path.join(dir, "lib.ts"), `export const message = "from LIB.ts";\n`);
  const stamped = await run("from LIB.ts");
  // This build was recorded with each file's stamp (lib.ts was old enough by then), and the next
  // run trusts the stamps without reading: an edit of the same length whose mtime is put back
  // (as `touch -r` or an archive tool does) still shows, by its ctime.
  assert.equal(await run("from LIB.ts"), stamped);
  const lib = path.join(dir, "lib.ts");
  // Outside the flow's folder: a new file there would mean a build by itself.
  const times = path.join(tempDir(), "times");
  // touch copies the nanoseconds, which fs.utimesSync (a double of seconds) may not.
  execFileSync("touch", ["-r", lib, times]);
  fs.writeFileSync(lib, `export const message = "from Lib.ts";\n`);
  execFileSync("touch", ["-r", times, lib]);
  assert.equal(fs.statSync(lib, { bigint: true }).mtimeNs, fs.statSync(times, { bigint: true }).mtimeNs);
  await run("from Lib.ts");
});
