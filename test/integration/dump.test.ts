// `flowship <flow> dump RUN/STEP[/TASK]` prints artifacts readably, or as JSON that keeps
// every value (Map, Set, BigInt, typed arrays, undefined, …) through a documented encoding.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { fromJsonValue, type JsonValue, Task } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

process.env.FLOWSHIP_USER = "tester";

const VALUES = "test/fixtures/flows/client-values.ts";
const FOREACH = "examples/foreach_flow.ts";
const root = tempDir();
const env = flowshipEnv(root);
let valuesRun: string;
let foreachRun: string;

const dump = (file: string, ...args: string[]) => runCli([file, "dump", ...args], { env });

before(async () => {
  const values = await runCli([VALUES, "run"], { env });
  assert.equal(values.code, 0, values.stderr);
  valuesRun = runIdFrom(values.stderr);
  const foreach = await runCli([FOREACH, "run", "--count", "2"], { env });
  assert.equal(foreach.code, 0, foreach.stderr);
  foreachRun = runIdFrom(foreach.stderr);
});

describe("dump", () => {
  test("prints `name [type, size] = value` per artifact", async () => {
    const result = await dump(FOREACH, `${foreachRun}/square/1`);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        `ForeachFlow/${foreachRun}/square/1 (attempt 0, succeeded)`,
        "  count [number, 4 bytes] = 2",
        "  items [Array(2), 11 bytes] = [ 1, 2 ]",
        "  result [number, 4 bytes] = 4",
        "",
      ].join("\n"),
    );
  });

  test("a step with several tasks dumps each; --include picks artifacts", async () => {
    const result = await dump(FOREACH, `${foreachRun}/square`, "--include", "result");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        `ForeachFlow/${foreachRun}/square/0 (attempt 0, succeeded)`,
        "  result [number, 4 bytes] = 1",
        `ForeachFlow/${foreachRun}/square/1 (attempt 0, succeeded)`,
        "  result [number, 4 bytes] = 4",
        "",
      ].join("\n"),
    );
  });

  test("long values are cut with a note", async () => {
    const result = await dump(
      VALUES,
      `${valuesRun}/start/0`,
      "--include",
      "long,map",
      "--max-value-size",
      "20",
    );
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.split("\n");
    assert.equal(
      lines[1],
      `  long [string, 5005 bytes] = 'zzzzzzzzzzzzzzzzzzz… (cut at 20 characters; --json shows the whole value)`,
    );
    assert.equal(
      lines[2],
      "  map [Map(2), 19 bytes] = Map(2) { 'one' => 1,… (cut at 20 characters; --json shows the whole value)",
    );
  });

  test("--json keeps every value: decoding it gives what the Client API loads", async () => {
    // when
    const result = await dump(VALUES, `${valuesRun}/end`, "--json");
    // then
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse(result.stdout) as Record<string, Record<string, JsonValue>>;
    const pathspec = `ClientValuesFlow/${valuesRun}/end/0`;
    assert.deepEqual(Object.keys(json), [pathspec]);
    const dumped = json[pathspec]!;
    assert.deepEqual(dumped.map, {
      $type: "Map",
      entries: [
        ["one", 1],
        ["two", 2],
      ],
    });
    assert.deepEqual(dumped.big, { $type: "BigInt", value: "12345678901234567890" });
    assert.deepEqual(dumped.nothing, { $type: "Undefined" });
    assert.deepEqual(dumped.floats, { $type: "Float64Array", values: [0.5, -1.25] });
    assert.deepEqual(dumped.odd, [
      { $type: "Number", value: "NaN" },
      { $type: "Number", value: "Infinity" },
      { $type: "Number", value: "-0" },
    ]);
    assert.deepEqual(dumped.tagged, { $type: "Object", value: { $type: "user data", n: 1 } });
    assert.equal((dumped.long as string).length, 5000);
    const task = await Task.get(pathspec, { datastore: root });
    for (const artifact of task.artifacts()) {
      assert.deepStrictEqual(fromJsonValue(dumped[artifact.name]!), await artifact.load(), artifact.name);
    }
  });

  test("mistakes are reported on one line", async () => {
    const run = await dump(FOREACH, foreachRun);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `error: Expected RUN/STEP or RUN/STEP/TASK: 'ForeachFlow/${foreachRun}'. Name a step, e.g. <run>/end.\n`,
    );
    const artifact = await dump(FOREACH, `${foreachRun}/end/0`, "--include", "nope");
    assert.equal(artifact.code, 1);
    assert.match(
      artifact.stderr,
      new RegExp(`^error: Artifact not found: 'ForeachFlow/${foreachRun}/end/0/nope'`),
    );
    const size = await dump(FOREACH, `${foreachRun}/end`, "--max-value-size", "0");
    assert.equal(size.code, 2);
  });
});
