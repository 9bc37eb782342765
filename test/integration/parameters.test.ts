// Parameters on the command line: every type, defaults (also computed), required ones, bad values.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource, taskArtifacts } from "../helpers/datastore.js";

const dir = tempDir();
const root = path.join(dir, ".flowship");
const env = flowshipEnv(root);
const file = path.join(dir, "params.ts");
fs.writeFileSync(
  file,
  flowSource(`export default flow("Params")
  .parameter("name", { help: "a string", required: true })
  .parameter("ratio", { help: "a number", default: 0.5 })
  .parameter("count", { type: "integer", default: 3 })
  .parameter("verbose", { type: "boolean", default: false })
  .parameter("config", { type: "json", default: { depth: 2 } })
  .parameter("owner", { default: (ctx) => "made-for-" + ctx.user })
  .parameter("sleepMs", { type: "integer", default: 0 })
  .step("start", (self) => { self.seen = [self.name, self.ratio, self.count, self.verbose, self.config, self.owner]; }, { next: "end" })
  .step("end", (self) => { self.name = "changed"; });`),
);

describe("parameters", () => {
  test("every type is parsed from the command line and read in every step", async () => {
    // when
    const result = await runCli(
      [
        file,
        "run",
        "--name",
        "x",
        "--ratio",
        "2.5",
        "--count",
        "7",
        "--verbose",
        "true",
        "--config",
        '{"depth":5}',
      ],
      { env },
    );
    // then: end assigned a parameter, which is refused
    assert.equal(result.code, 1);
    assert.match(result.stderr, /Cannot assign parameter 'name' in step 'end': parameters are read-only/);
    const start = await taskArtifacts(root, "Params", runIdFrom(result.stderr), "start");
    assert.deepEqual(start.seen, ["x", 2.5, 7, true, { depth: 5 }, "made-for-tester"]);
  });

  const bad: [string, string[], string][] = [
    ["a missing required parameter", [], "error: Missing required parameter --name for flow 'Params'.\n"],
    [
      "a number that is not",
      ["--name", "x", "--ratio", "abc"],
      `error: Invalid value for parameter 'ratio' of flow 'Params': "abc" is not a decimal number.\n`,
    ],
    [
      "an integer that is not",
      ["--name", "x", "--count", "2.5"],
      `error: Invalid value for parameter 'count' of flow 'Params': "2.5" is not a decimal integer.\n`,
    ],
    [
      "a hexadecimal integer (Number() would take it as 16)",
      ["--name", "x", "--count", "0x10"],
      `error: Invalid value for parameter 'count' of flow 'Params': "0x10" is not a decimal integer.\n`,
    ],
    [
      "an integer a number cannot hold exactly",
      ["--name", "x", "--count", "9007199254740993"],
      `error: Invalid value for parameter 'count' of flow 'Params': "9007199254740993" is not an integer a JavaScript number holds exactly (±9007199254740991); declare the parameter type 'string' and convert it with BigInt().\n`,
    ],
    [
      "a number with a binary prefix",
      ["--name", "x", "--ratio", "0b1"],
      `error: Invalid value for parameter 'ratio' of flow 'Params': "0b1" is not a decimal number.\n`,
    ],
    [
      "a boolean that is not",
      ["--name", "x", "--verbose", "maybe"],
      `error: Invalid value for parameter 'verbose' of flow 'Params': "maybe" is not a boolean (true or false).\n`,
    ],
    [
      "JSON that does not parse",
      ["--name", "x", "--config", "{depth:"],
      `error: Invalid value for parameter 'config' of flow 'Params': "{depth:" is not valid JSON (Expected property name or '}' in JSON at position 1).\n`,
    ],
    [
      "an unknown flag",
      ["--name", "x", "--beta", "1"],
      "error: Unknown option '--beta'. Run with --help to see the options.\n",
    ],
    [
      "a camelCase parameter's flag spelt in kebab-case",
      ["--name", "x", "--sleep-ms", "5"],
      "error: Unknown option '--sleep-ms' (did you mean --sleepMs?). Run with --help to see the options.\n",
    ],
  ];
  for (const [label, args, message] of bad) {
    test(`${label}: one-line error, exit 2, nothing run`, async () => {
      const result = await runCli([file, "run", ...args], { env });
      assert.equal(result.stderr, message);
      assert.equal(result.code, 2);
    });
  }

  test("a bare boolean flag is true; values come from FLOWSHIP_RUN_<NAME> unless given on the command line", async () => {
    const result = await runCli([file, "run", "--verbose", "--count", "8"], {
      env: { ...env, FLOWSHIP_RUN_NAME: "from-env", FLOWSHIP_RUN_COUNT: "5", FLOWSHIP_RUN_RATIO: "1e3" },
    });
    assert.equal(result.code, 1, result.stderr); // end assigns a parameter, as above
    const start = await taskArtifacts(root, "Params", runIdFrom(result.stderr), "start");
    assert.deepEqual(start.seen, ["from-env", 1000, 8, true, { depth: 2 }, "made-for-tester"]);
  });

  test("a bad value from the environment names the variable", async () => {
    const result = await runCli([file, "run", "--name", "x"], { env: { ...env, FLOWSHIP_RUN_COUNT: "ten" } });
    assert.equal(
      result.stderr,
      `error: Invalid value for parameter 'count' of flow 'Params' (from environment variable FLOWSHIP_RUN_COUNT): "ten" is not a decimal integer.\n`,
    );
    assert.equal(result.code, 2);
  });

  test("a parameter with a separator is a list of strings, its default split too (or given as the list)", async () => {
    const lists = path.join(dir, "lists.ts");
    fs.writeFileSync(
      lists,
      flowSource(`export default flow("Lists")
  .parameter("labels", { separator: ",", default: "red,green" })
  .parameter("paths", { separator: ":" })
  .parameter("tags", { separator: ",", default: ["a", "b"] })
  .step("start", (self) => { self.got = { labels: self.labels, paths: self.paths, tags: self.tags }; }, { next: "end" })
  .step("end", () => {});`),
    );
    const given = await runCli([lists, "run", "--paths", "/a:/b:/c"], { env });
    assert.equal(given.code, 0, given.stderr);
    assert.deepEqual((await taskArtifacts(root, "Lists", runIdFrom(given.stderr), "start")).got, {
      labels: ["red", "green"],
      paths: ["/a", "/b", "/c"],
      tags: ["a", "b"],
    });
    const help = await runCli([lists, "run", "--help"], { env });
    // Help wraps at 80 columns: compare with runs of white space made one.
    assert.match(
      help.stdout.replace(/\s+/g, " "),
      /--labels <string> parameter labels \[default: "red,green"\] \[a list: split on ","\] \[env: FLOWSHIP_RUN_LABELS\]/,
    );
  });

  test("text defaults of JSON parameters are parsed; default functions see current", async () => {
    // given: JSON defaults as text, literal and computed, and a default that reads current
    const defaults = path.join(dir, "defaults.ts");
    fs.writeFileSync(
      defaults,
      flowSource(`export default flow("Defaults")
  .parameter("config", { type: "json", default: '{"a": [8]}' })
  .parameter("computed", { type: "json", default: () => '{"b": 2}' })
  .parameter("facts", { type: "json", default: () => ({ flow: current.flowName, user: current.username, namespace: current.namespace, names: current.parameterNames, inStep: current.isRunningFlow, run: current.runId ?? null }) })
  .step("start", (self) => { self.seen = { config: self.config, computed: self.computed, facts: self.facts, names: current.parameterNames }; }, { next: "end" })
  .step("end", () => {});`),
    );
    // when
    const result = await runCli([defaults, "run"], { env });
    // then: parsed as the same text on the command line would be
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await taskArtifacts(root, "Defaults", runIdFrom(result.stderr), "start")).seen, {
      config: { a: [8] },
      computed: { b: 2 },
      facts: {
        flow: "Defaults",
        user: "tester",
        namespace: "user:tester",
        names: ["config", "computed", "facts"],
        inStep: false,
        run: null,
      },
      names: ["config", "computed", "facts"],
    });
    // and a default that is not JSON is a one-line error naming it
    const broken = path.join(dir, "broken_default.ts");
    fs.writeFileSync(
      broken,
      flowSource(`export default flow("BrokenDefault")
  .parameter("config", { type: "json", default: "{a:" })
  .step("start", () => {}, { next: "end" })
  .step("end", () => {});`),
    );
    const refused = await runCli([broken, "run"], { env });
    assert.equal(
      refused.stderr,
      `error: Invalid value for parameter 'config' of flow 'BrokenDefault' (from its default): "{a:" is not valid JSON (Expected property name or '}' in JSON at position 1).\n`,
    );
    assert.equal(refused.code, 2);
  });

  test("run --help lists the parameters with their help and defaults", async () => {
    const result = await runCli([file, "run", "--help"], { env });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--name <string>\s+a string \[required\]/);
    assert.match(result.stdout, /--ratio <number>\s+a number \[default: 0\.5\]/);
    assert.match(result.stdout, /--owner <string>\s+parameter owner \[default: computed at run start\]/);
  });
});
