// The datastore is a boundary and the code cache a promise (issue 16, item 10): no symbolic link
// leads a reader or a run out of the root, a cached compiled flow edited in place never runs under
// its original code hash, and a run never takes over a folder that already holds a run.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";

const FLOW = "examples/parameter_flow.ts";

describe("datastore boundaries", () => {
  test("a symbolic link planted in the datastore is not followed out of it", async () => {
    // given: a run whose start log is replaced by a link to a file outside the datastore
    const dir = tempDir();
    const root = path.join(dir, ".flowship");
    const env = flowshipEnv(root);
    const run = await runCli([FLOW, "run"], { env });
    assert.equal(run.code, 0, run.stderr);
    const runId = runIdFrom(run.stderr);
    const secret = path.join(dir, "outside.txt");
    fs.writeFileSync(secret, "a file outside the datastore\n");
    const taskFolder = path.join(root, "ParameterFlow", "runs", runId, "steps", "start", "0");
    const log = fs.readdirSync(taskFolder).find((f) => f.endsWith(".stdout.log"))!;
    fs.rmSync(path.join(taskFolder, log));
    fs.symlinkSync(secret, path.join(taskFolder, log));
    // when
    const logs = await runCli([FLOW, "logs", `${runId}/start`], { env });
    // then
    assert.equal(logs.code, 1, logs.stderr);
    assert.doesNotMatch(logs.stdout, /outside the datastore/);
    assert.match(
      logs.stderr,
      /^error: '[^']+\.stdout\.log' in \S+ leads outside the datastore, to '[^']+outside\.txt' \(a symbolic link\); flowship does not follow links out of its root\. Remove the link\.\n$/,
    );
  });

  test("a cached compiled flow edited in place is compiled again, not run", async () => {
    // given: a run, then its cached bundle tampered with
    const root = path.join(tempDir(), ".flowship");
    const env = flowshipEnv(root);
    const first = await runCli([FLOW, "run"], { env });
    assert.equal(first.code, 0, first.stderr);
    const store = flowStore(root, "ParameterFlow");
    const codeHash = (await store.readRun(runIdFrom(first.stderr)))!.codeHash;
    const bundle = path.join(root, "_code", `${codeHash}.mjs`);
    fs.appendFileSync(bundle, '\nconsole.log("tampered code ran");\n');
    // when
    const second = await runCli([FLOW, "run"], { env });
    // then
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout + second.stderr, /tampered code ran/);
    assert.equal((await store.readRun(runIdFrom(second.stderr)))!.codeHash, codeHash);
    assert.doesNotMatch(fs.readFileSync(bundle, "utf8"), /tampered/);
  });

  test("a run id whose folder already holds a run is not claimed", async () => {
    const root = tempDir();
    const store = flowStore(root, "SomeFlow");
    fs.mkdirSync(path.join(root, "SomeFlow", "runs", "123"), { recursive: true });
    fs.writeFileSync(path.join(root, "SomeFlow", "runs", "123", "run.json"), "{}");
    assert.equal(await store.claimRunId("123"), false);
    assert.equal(await store.claimRunId("124"), true);
    assert.equal(await store.claimRunId("124"), false);
  });
});
