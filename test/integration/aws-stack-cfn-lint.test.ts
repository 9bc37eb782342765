// The account stack's template, as `flowship aws stack print` writes it, passes cfn-lint (AWS's
// resource specifications, pinned in the test venv) with no error and no warning: Fargate, EC2 and
// Spot, each with a VPC of its own and with an existing one, with and without the alerts topic, in
// JSON and in YAML.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { REPO, runCli, runCommand, tempDir } from "../helpers/cli.js";

const CFN_LINT = path.join(REPO, "node_modules/.cache/flowship-test-venv/bin/cfn-lint");
const EXISTING = [
  "--vpc-id",
  "vpc-0a1b2c3d",
  "--subnet-ids",
  "subnet-0a1b2c3d,subnet-1a1b2c3d",
  "--security-group-id",
  "sg-0a1b2c3d",
  "--bucket",
  "my-flows",
];

interface Finding {
  Filename: string;
  Level: string;
  Message: string;
  Rule: { Id: string };
  Location: { Path: unknown[] };
}

test("every variant of the stack template passes cfn-lint", async () => {
  // given: each template printed by the CLI
  const dir = tempDir();
  const files: string[] = [];
  for (const compute of ["fargate", "ec2", "spot"]) {
    for (const [network, networkArgs] of [
      ["own-vpc", []],
      ["existing-vpc", EXISTING],
    ] as const) {
      for (const alerts of [false, true]) {
        for (const format of compute === "fargate" || alerts ? ["json", "yaml"] : ["json"]) {
          const args = [
            "aws",
            "stack",
            "print",
            "--compute",
            compute,
            ...networkArgs,
            ...(alerts ? ["--alerts-topic"] : []),
            "--format",
            format,
          ];
          const printed = await runCli(args);
          assert.equal(printed.code, 0, printed.stderr);
          const file = path.join(dir, `${compute}-${network}${alerts ? "-alerts" : ""}.${format}`);
          fs.writeFileSync(file, printed.stdout);
          files.push(file);
        }
      }
    }
  }
  // when
  const lint = await runCommand(CFN_LINT, ["--format", "json", "--regions", "eu-west-1", "--", ...files]);
  // then: nothing to say, and exit 0 (its exit code is a bit mask: 2 errors, 4 warnings, 8 informational)
  const findings = JSON.parse(lint.stdout || "[]") as Finding[];
  const shown = findings.map(
    (f) =>
      `${path.basename(f.Filename)}: ${f.Level} ${f.Rule.Id} at ${f.Location.Path.join("/")}: ${f.Message}`,
  );
  assert.deepEqual(shown, [], lint.stderr);
  assert.equal(lint.code, 0, lint.stderr);
  assert.equal(files.length, 20);
});
