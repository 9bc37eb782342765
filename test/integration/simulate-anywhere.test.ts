// `step-functions simulate` works on a flow in any folder, prints task output where `run` does
// (stdout) and, like `check` and `show`, leaves nothing in the current folder unless the local
// datastore lives there: compiled code goes to the user's cache.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { flowshipEnv, runCli, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";

const base = tempDir();
const project = path.join(base, "elsewhere", "project");
const flowFile = path.join(project, "hello.ts");
fs.mkdirSync(project, { recursive: true });
fs.writeFileSync(
  flowFile,
  flowSource(`export default flow("Anywhere")
  .step("start", (self) => { self.n = 2; console.log("out from start"); console.error("err from start"); }, { next: "end" })
  .step("end", (self) => { console.log("n is " + self.n); });`),
);
const cache = path.join(base, "cache");

/** An empty folder to run the command from, outside the flow's folder. */
function emptyCwd(): string {
  const cwd = path.join(base, `cwd-${Math.random().toString(36).slice(2)}`);
  fs.mkdirSync(cwd);
  return cwd;
}

describe("simulate from another folder", () => {
  let server: S3TestServer;
  before(async () => {
    server = await startS3Server();
  });
  after(async () => {
    await server.close();
  });

  test("a flow outside the current folder simulates; task stdout on stdout, stderr on stderr", async () => {
    const cwd = emptyCwd();
    const root = path.join(base, "local-datastore");
    const result = await runCli([flowFile, "step-functions", "simulate"], {
      cwd,
      env: flowshipEnv(root, { FLOWSHIP_CACHE_DIR: cache }),
    });
    assert.equal(result.code, 0, result.stderr);
    const runId = simulatedRunIdFrom(result.stderr);
    assert.match(result.stdout, new RegExp(`^\\[${runId}/start/0\\] out from start$`, "m"));
    assert.match(result.stdout, new RegExp(`^\\[${runId}/end/0\\] n is 2$`, "m"));
    assert.doesNotMatch(result.stdout, /err from start/);
    assert.match(result.stderr, /err from start/);
    assert.deepEqual(fs.readdirSync(cwd), []);
  });

  test("--source-root that does not hold the flow file is refused, naming the option", async () => {
    const result = await runCli([flowFile, "step-functions", "simulate", "--source-root", emptyCwd()], {
      env: flowshipEnv(path.join(base, "local-datastore"), { FLOWSHIP_CACHE_DIR: cache }),
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Flow file is outside the source root: '.*hello\.ts'\. Pass --source-root with a folder that contains it/,
    );
  });

  test("on an S3 datastore nothing is written to the current folder, compiled code goes to the cache", async () => {
    const cwd = emptyCwd();
    const ownCache = path.join(base, "s3-cache");
    const env = flowshipEnv(path.join(base, "unused"), {
      FLOWSHIP_DATASTORE_ROOT: undefined,
      FLOWSHIP_CACHE_DIR: ownCache,
      FLOWSHIP_S3_ENDPOINT: server.endpoint,
      AWS_REGION: "us-east-1",
    });
    const s3Root = `s3://${server.bucket}/anywhere`;
    const simulated = await runCli(
      [flowFile, "step-functions", "simulate", "--datastore", "s3", "--s3-root", s3Root],
      { cwd, env },
    );
    assert.equal(simulated.code, 0, simulated.stderr);
    const shown = await runCli([flowFile, "show"], { cwd, env });
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(fs.readdirSync(cwd), []);
    assert.ok(
      fs.readdirSync(path.join(ownCache, "_code")).some((name) => name.endsWith(".mjs")),
      "the compiled flow is cached",
    );
  });
});
