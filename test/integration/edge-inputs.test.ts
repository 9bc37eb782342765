// What a user can type at the edges — many parameters, many long tags, long ids, a missing folder,
// a file for a folder, an unknown datastore — gets a one-line error or just works, never exit 70
// and never a run left behind that did not start (issue 16, item 14).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Flow } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";

const MANY = path.join(REPO, "test/fixtures/flows/many_parameters.ts");
const EXAMPLE = "examples/parameter_flow.ts";

describe("edge inputs", () => {
  test("1,200 parameters and 300 tags of 500 characters run (they do not fit in a task's environment)", async () => {
    const env = flowshipEnv(path.join(tempDir(), ".flowship"));
    const tags = Array.from({ length: 300 }, (_, i) => ["--tag", `${i}-${"t".repeat(495)}`]).flat();
    const result = await runCli([MANY, "run", ...tags], { env });
    assert.equal(result.code, 0, result.stderr.slice(0, 2000));
    assert.match(result.stdout + result.stderr, /sum of parameters 719400, 300 tags/);
  });

  test("an unknown FLOWSHIP_DATASTORE is an error naming the variable", async () => {
    const env = flowshipEnv(path.join(tempDir(), ".flowship"), { FLOWSHIP_DATASTORE: "foo" });
    const result = await runCli([EXAMPLE, "run"], { env });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "error: Unknown datastore 'foo' in FLOWSHIP_DATASTORE: use local or s3.\n");
  });

  test("a datastore root that is a file is a one-line error", async () => {
    const file = path.join(tempDir(), "not-a-folder");
    fs.writeFileSync(file, "x");
    const env = flowshipEnv(file);
    const result = await runCli([EXAMPLE, "run"], { env });
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      `error: The datastore root '${file}' is a file, not a folder: give a folder with --datastore-root or FLOWSHIP_DATASTORE_ROOT.\n`,
    );
  });

  test("--run-id-file in a missing folder is refused before any run starts", async () => {
    const root = path.join(tempDir(), ".flowship");
    const env = flowshipEnv(root);
    const file = path.join(tempDir(), "missing", "run-id");
    for (const command of [["run"], ["step-functions", "simulate"]]) {
      const result = await runCli([EXAMPLE, ...command, "--run-id-file", file], { env });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(
        result.stderr,
        `error: Invalid --run-id-file '${file}': its folder '${path.dirname(file)}' does not exist.\n`,
      );
    }
    assert.equal(fs.existsSync(path.join(root, "ParameterFlow", "runs")), false, "a run was started");
  });

  test("--run-id-file that is a folder is refused before any run starts, trigger's before any AWS call", async () => {
    const root = path.join(tempDir(), ".flowship");
    // No AWS settings: trigger would stop on them, so the file must be looked at first.
    const env = flowshipEnv(root, { FLOWSHIP_CONFIG: path.join(root, "absent.json") });
    const folder = tempDir();
    for (const command of [["run"], ["step-functions", "simulate"], ["step-functions", "trigger"]]) {
      const result = await runCli([EXAMPLE, ...command, "--run-id-file", folder], { env });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(
        result.stderr,
        `error: Invalid --run-id-file '${folder}': it is a folder; give the path of a file.\n`,
      );
    }
    const missing = path.join(folder, "missing", "run-id");
    const trigger = await runCli([EXAMPLE, "step-functions", "trigger", "--run-id-file", missing], { env });
    assert.equal(trigger.code, 2, trigger.stderr);
    assert.match(trigger.stderr, /^error: Invalid --run-id-file .*does not exist\.\n$/);
    assert.equal(fs.existsSync(path.join(root, "ParameterFlow", "runs")), false, "a run was started");
  });

  test("a run id with a line break or an escape sequence is quoted escaped, on one line", async () => {
    const env = flowshipEnv(path.join(tempDir(), ".flowship"));
    for (const [args, shown] of [
      [["step-functions", "terminate", "sfn-a\r\nb"], "'sfn-a\\r\\nb'"],
      [["logs", "ParameterFlow/1\u001b[2J/start"], "'1\\u001b[2J'"],
    ] as const) {
      const result = await runCli([EXAMPLE, ...args], { env });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stderr.split("\n").length, 2, result.stderr);
      assert.ok(result.stderr.includes(shown), result.stderr);
    }
  });

  test("FLOWSHIP_PROGRESS_INTERVAL=1e20 is no timer of 1 ms: the default is used, no progress line is printed", async () => {
    const env = flowshipEnv(path.join(tempDir(), ".flowship"), { FLOWSHIP_PROGRESS_INTERVAL: "1e20" });
    const result = await runCli([EXAMPLE, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /TimeoutOverflowWarning|^progress /m);
  });

  test("a run or task id too long for a file name is a one-line error in logs, dump, tag and resume", async () => {
    const env = flowshipEnv(path.join(tempDir(), ".flowship"));
    const run = await runCli([EXAMPLE, "run"], { env });
    assert.equal(run.code, 0, run.stderr);
    const long = "1".repeat(300);
    const id = runIdFrom(run.stderr);
    for (const [args, what] of [
      [["logs", `${long}/start`], "run id"],
      [["dump", `${id}/start/${long}`], "task id"],
      [["tag", "add", long, "x"], "run id"],
      [["resume", "--origin-run-id", long], "run id"],
    ] as const) {
      const result = await runCli([EXAMPLE, ...args], { env });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(
        result.stderr,
        new RegExp(`^error: Invalid ${what} '1{300}'.*at most 200 characters`),
        args.join(" "),
      );
      assert.equal(result.stderr.split("\n").length, 2, "one line");
    }
  });

  test("an artifact name with a lone surrogate is refused where it is set, naming the step and the name", async () => {
    const dir = tempDir();
    const file = path.join(dir, "surrogate.ts");
    fs.writeFileSync(
      file,
      flowSource(`export default flow("Surrogate")
  .step("start", (self) => { self["\\uD800x"] = 1; }, { next: "end" })
  .step("end", () => {});`),
    );
    const result = await runCli([file, "run"], { env: flowshipEnv(path.join(dir, ".flowship")) });
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /Cannot assign 'self\["\\ud800x"\]' in step 'start': the name holds a lone surrogate \(half a UTF-16 pair\), which is not text; use another name\./,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  test("a JSON parameter nested too deep to read back is a one-line parameter error, before any run", async () => {
    const root = path.join(tempDir(), ".flowship");
    const deep = `${'{"a":'.repeat(6000)}1${"}".repeat(6000)}`;
    const result = await runCli(
      [path.join(REPO, "test/fixtures/flows/mutated_parameter.ts"), "run", "--config", deep],
      { env: flowshipEnv(root) },
    );
    assert.equal(result.code, 2);
    assert.equal(
      result.stderr,
      "error: Invalid value for parameter 'config': config.a.a.a.a.a.a….a.a.a is nested 1,000 levels deep, more than an artifact may be and still be read back; flatten it (or store it as a JSON string).\n",
    );
    assert.equal(fs.existsSync(path.join(root, "MutatedParameterFlow", "runs")), false, "a run was started");
  });

  test("--with takes Metaflow's spelling of an option (minutes_between_retries)", async () => {
    const env = flowshipEnv(path.join(tempDir(), ".flowship"));
    const result = await runCli(
      [
        EXAMPLE,
        "--with",
        "retry:times=2,minutes_between_retries=2",
        "step-functions",
        "create",
        "--only-json",
      ],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    const retry = JSON.parse(result.stdout).States.start.Retry as {
      IntervalSeconds: number;
      MaxAttempts: number;
    }[];
    assert.ok(
      retry.some((r) => r.IntervalSeconds === 120 && r.MaxAttempts === 2),
      JSON.stringify(retry),
    );
  });

  test("a user name with a space and non-ASCII letters runs, and its runs are found in its namespace", async () => {
    const root = path.join(tempDir(), ".flowship");
    const env = flowshipEnv(root, { FLOWSHIP_USER: "jörg müller" });
    const result = await runCli([EXAMPLE, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const flow = await Flow.get("ParameterFlow", { datastore: root, namespace: "user:jörg müller" });
    const latest = await flow.latestSuccessfulRun();
    assert.equal(latest?.id, runIdFrom(result.stderr));
    assert.equal(latest?.status, "succeeded");
    // and a tag with a space works as a namespace too
    const tagged = await runCli([EXAMPLE, "run", "--tag", "nightly run"], { env });
    assert.equal(tagged.code, 0, tagged.stderr);
    const byTag = await Flow.get("ParameterFlow", { datastore: root, namespace: "nightly run" });
    assert.equal((await byTag.latestRun())?.id, runIdFrom(tagged.stderr));
  });
});
