// `flowship <flow> logs RUN[/STEP[/TASK]]` prints what tasks printed, from the datastore.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";

const FLAKY = "test/fixtures/flows/client-flaky.ts";
const FOREACH = "examples/foreach_flow.ts";
const root = tempDir();
const env = flowshipEnv(root);
let foreachRun: string;
let failed: string;
let resumed: string;

const logs = (file: string, ...args: string[]) => runCli([file, "logs", ...args], { env });

before(async () => {
  const foreach = await runCli([FOREACH, "run", "--count", "3"], { env });
  assert.equal(foreach.code, 0, foreach.stderr);
  foreachRun = runIdFrom(foreach.stderr);
  const first = await runCli([FLAKY, "run", "--max-workers", "1"], { env });
  assert.equal(first.code, 1, first.stderr);
  failed = runIdFrom(first.stderr);
  const second = await runCli([FLAKY, "resume", "--origin-run-id", failed], {
    env: flowshipEnv(root, { CLIENT_FIXTURE_FIXED: "1" }),
  });
  assert.equal(second.code, 0, second.stderr);
  resumed = runIdFrom(second.stderr);
});

describe("logs", () => {
  test("one task: its stdout as it was printed, without a header", async () => {
    const result = await logs(FOREACH, `${foreachRun}/square/1`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "item 1: 2² = 4\n");
  });

  test("a step with several tasks: a header per task", async () => {
    const result = await logs(FOREACH, `${foreachRun}/square`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [0, 1, 2]
        .map(
          (i) =>
            `==> ForeachFlow/${foreachRun}/square/${i} (attempt 0, stdout) <==\nitem ${i}: ${i + 1}² = ${(i + 1) ** 2}\n`,
        )
        .join(""),
    );
  });

  test("a whole run: every task of every step", async () => {
    const result = await logs(FOREACH, foreachRun);
    assert.equal(result.code, 0, result.stderr);
    const headers = result.stdout.split("\n").filter((line) => line.startsWith("==> "));
    assert.deepEqual(
      headers.map((h) => h.split(" ")[1]!.split("/").slice(2).join("/")),
      ["start/0", "square/0", "square/1", "square/2", "join/0", "end/0"],
    );
    assert.match(result.stdout, /results: 1, 4, 9\n/);
  });

  test("--stderr, --both and --attempt pick the stream and the attempt", async () => {
    const latest = await logs(FLAKY, `${failed}/start/0`);
    assert.equal(latest.stdout, "start attempt 1\n");
    const first = await logs(FLAKY, `${failed}/start/0`, "--attempt", "0");
    assert.equal(first.stdout, "start attempt 0\n");
    const stderr = await logs(FLAKY, `${failed}/start/0`, "--stderr", "--attempt", "0");
    assert.match(
      stderr.stdout,
      /^start warning on attempt 0\nStep 'start' failed: Error: the first attempt always fails\n/,
    );
    const both = await logs(FLAKY, `${failed}/process/1`, "--both");
    assert.equal(both.code, 0, both.stderr);
    assert.match(
      both.stdout,
      new RegExp(
        `^==> ClientFlakyFlow/${failed}/process/1 \\(attempt 0, stdout\\) <==\\nprocessing b\\n==> ClientFlakyFlow/${failed}/process/1 \\(attempt 0, stderr\\) <==\\nStep 'process' failed: Error: cannot process b\\n`,
      ),
    );
  });

  test("--attempt on a step shows the tasks that have that attempt", async () => {
    const result = await logs(FLAKY, `${failed}/start`, "--attempt", "1");
    assert.equal(result.stdout, "start attempt 1\n");
    const none = await logs(FLAKY, `${failed}/process`, "--attempt", "1");
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`^error: Attempt not found: 'ClientFlakyFlow/${failed}/process#1'`));
  });

  test("a task cloned by resume points at the origin's logs", async () => {
    const result = await logs(FLAKY, `${resumed}/start/0`);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      `note: ClientFlakyFlow/${resumed}/start/0 was cloned by resume from ClientFlakyFlow/${failed}/start/0; its logs are there.\n`,
    );
  });

  test("nothing on stdout: a note says the task wrote to stderr", async () => {
    const file = path.join(root, "quiet_flow.ts");
    fs.writeFileSync(
      file,
      flowSource(`export default flow("QuietFlow")
  .step("start", () => { console.error("only on stderr"); }, { next: "end" })
  .step("end", () => {});`),
    );
    const run = await runCli([file, "run"], { env });
    assert.equal(run.code, 0, run.stderr);
    const result = await logs(file, `${runIdFrom(run.stderr)}/start/0`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.equal(
      result.stderr,
      "note: nothing on stdout; the task wrote to stderr: add --stderr (or --both).\n",
    );
    const end = await logs(file, `${runIdFrom(run.stderr)}/end`);
    assert.equal(end.stderr, "", "a task that printed nothing anywhere gets no note");
  });

  test("a pathspec with the flow's name in front, as the UI and cards show a task, is taken by logs and dump", async () => {
    const [full, dumped] = await Promise.all([
      logs(FOREACH, `ForeachFlow/${foreachRun}/square/1`),
      runCli([FOREACH, "dump", `ForeachFlow/${foreachRun}/end`, "--json"], { env }),
    ]);
    assert.equal(full.code, 0, full.stderr);
    assert.equal(full.stdout, "item 1: 2² = 4\n");
    assert.equal(dumped.code, 0, dumped.stderr);
    assert.deepEqual(Object.keys(JSON.parse(dumped.stdout)), [`ForeachFlow/${foreachRun}/end/0`]);
  });

  test("mistakes are reported on one line", async () => {
    const missing = await logs(FOREACH, "1/start");
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `error: Run not found: 'ForeachFlow/1' is not in the datastore ${root}. Check the pathspec, or point the client at the right datastore (--datastore-root or FLOWSHIP_DATASTORE_ROOT on the command line, setDatastore() in code).\n`,
    );
    const traversal = await logs(FOREACH, "../../etc/passwd");
    assert.equal(traversal.code, 2);
    assert.match(traversal.stderr, /^error: Invalid pathspec 'ForeachFlow\/\.\.\/\.\.\/etc\/passwd'/);
    const dots = await logs(FOREACH, `${foreachRun}/..`);
    assert.equal(dots.code, 2);
    const attempt = await logs(FOREACH, `${foreachRun}/start/0`, "--attempt", "x");
    assert.equal(attempt.code, 2);
    const both = await logs(FOREACH, `${foreachRun}/start/0`, "--stderr", "--both");
    assert.equal(both.stderr, "error: Give --stderr or --both, not both.\n");
  });

  test("--help lists the options", async () => {
    const result = await logs(FOREACH, "--help");
    assert.equal(result.code, 0);
    for (const option of ["--stderr", "--both", "--attempt <n>"])
      assert.ok(result.stdout.includes(option), option);
  });
});
