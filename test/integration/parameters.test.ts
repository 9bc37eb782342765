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
      `error: Invalid value for parameter 'ratio' of flow 'Params': "abc" is not a number.\n`,
    ],
    [
      "an integer that is not",
      ["--name", "x", "--count", "2.5"],
      `error: Invalid value for parameter 'count' of flow 'Params': "2.5" is not an integer.\n`,
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
  ];
  for (const [label, args, message] of bad) {
    test(`${label}: one-line error, exit 2, nothing run`, async () => {
      const result = await runCli([file, "run", ...args], { env });
      assert.equal(result.stderr, message);
      assert.equal(result.code, 2);
    });
  }

  test("run --help lists the parameters with their help and defaults", async () => {
    const result = await runCli([file, "run", "--help"], { env });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /--name <string>\s+a string \[required\]/);
    assert.match(result.stdout, /--ratio <number>\s+a number \[default: 0\.5\]/);
    assert.match(result.stdout, /--owner <string>\s+parameter owner \[default: computed at run start\]/);
  });
});
