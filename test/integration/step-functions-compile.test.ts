// `step-functions create --only-json` for every example through the real CLI: the output matches
// test/golden/<Flow>.asl.json (UPDATE_GOLDEN=1 rewrites them) and both ASL validators — AWS's
// language service and asl-validator — report nothing, for the examples and a 300-step flow.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { compileStepFunctions } from "../../src/aws/compile/compile-step-functions.js";
import { LIMITS } from "../../src/aws/compile/limits.js";
import { flow } from "../../src/flow/flow-builder.js";
import { validatorFindings } from "../helpers/asl-validators.js";
import { flowshipEnv, REPO, runCli, tempDir } from "../helpers/cli.js";

const GOLDEN = path.join(REPO, "test/golden");
const EXAMPLES: Array<[file: string, flow: string]> = [
  ["examples/parameter_flow.ts", "ParameterFlow"],
  ["examples/hourly_flow.ts", "HourlyFlow"],
  ["examples/branch_flow.ts", "BranchFlow"],
  ["examples/foreach_flow.ts", "ForeachFlow"],
  ["examples/nested_foreach_flow.ts", "NestedForeachFlow"],
  ["examples/resilient_flow.ts", "ResilientFlow"],
  // Metaflow's switch and recursion graphs (Choice states, loop counts, a loop in a Map).
  ...(
    [
      ["switch_basic.ts", "SwitchBasic"],
      ["switch_in_branch.ts", "SwitchInBranch"],
      ["switch_in_foreach.ts", "SwitchInForeach"],
      ["switch_nested.ts", "SwitchNested"],
      ["branch_in_switch.ts", "BranchInSwitch"],
      ["foreach_in_switch.ts", "ForeachInSwitch"],
      ["recursive_switch.ts", "RecursiveSwitch"],
      ["recursive_switch_inside_foreach.ts", "RecursiveSwitchInsideForeach"],
      ["nested_loops.ts", "NestedLoops"],
    ] as const
  ).map(([file, name]): [string, string] => [`test/fixtures/switches/${file}`, name]),
];

const env = flowshipEnv(tempDir());

describe("step-functions create --only-json", () => {
  for (const [file, flowName] of EXAMPLES) {
    test(`${flowName}: matches its golden file and passes both validators`, async () => {
      // when
      const result = await runCli([file, "step-functions", "create", "--only-json"], { env });
      // then
      assert.equal(result.code, 0, result.stderr);
      const golden = path.join(GOLDEN, `${flowName}.asl.json`);
      if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(golden, result.stdout);
      assert.equal(
        result.stdout,
        fs.readFileSync(golden, "utf8"),
        `differs from ${golden}; UPDATE_GOLDEN=1 rewrites it`,
      );
      assert.deepEqual(await validatorFindings(result.stdout), []);
      assert.match(result.stderr, new RegExp(`^State machine '${flowName}': \\d+ states, [\\d,]+ bytes`));
    });
  }

  test("the validators are live: a definition with a dangling Next is reported by both", async () => {
    // given
    const broken = JSON.parse(fs.readFileSync(path.join(GOLDEN, "HourlyFlow.asl.json"), "utf8"));
    broken.States.start.Next = "nowhere";
    // when
    const findings = await validatorFindings(JSON.stringify(broken, null, 2));
    // then
    assert.ok(
      findings.some((f) => f.startsWith("language service")),
      findings.join("\n"),
    );
    assert.ok(
      findings.some((f) => f.startsWith("asl-validator")),
      findings.join("\n"),
    );
  });

  test("a 300-step flow passes both validators far under the 1 MB limit", async () => {
    // given
    const long = flow("ThreeHundredSteps");
    const names = ["start", ...Array.from({ length: 298 }, (_, i) => `step_${i + 1}`), "end"];
    names.forEach((name, i) => {
      if (name === "end") long.step(name, () => {});
      else long.step(name, () => {}, { next: names[i + 1]! });
    });
    // when
    const { definition, stats } = compileStepFunctions(long);
    // then
    assert.deepEqual(await validatorFindings(JSON.stringify(definition, null, 2)), []);
    assert.ok(stats.bytesPerStep <= 2048);
    assert.ok(stats.definitionBytes < LIMITS.definitionBytes / 2);
  });

  test("--name, --max-workers, --workflow-timeout and the Batch options reach the definition", async () => {
    // when
    const result = await runCli(
      [
        "examples/foreach_flow.ts",
        "step-functions",
        "create",
        "--only-json",
        "--name",
        "nightly-foreach",
        "--max-workers",
        "8",
        "--workflow-timeout",
        "7200",
        "--job-queue",
        "flows",
        "--job-definition",
        "arn:aws:batch:eu-west-1:123456789012:job-definition/flowship-ForeachFlow:4",
        "--s3-root",
        "s3://data-bucket/team",
      ],
      { env },
    );
    // then
    assert.equal(result.code, 0, result.stderr);
    const definition = JSON.parse(result.stdout);
    assert.equal(definition.TimeoutSeconds, 7200);
    assert.equal(definition.States["start-foreach"].MaxConcurrency, 8);
    assert.equal(definition.States.start.Parameters.JobQueue, "flows");
    assert.match(
      definition.States.start.Parameters.JobDefinition,
      /:job-definition\/flowship-ForeachFlow:4$/,
    );
    assert.equal(definition.States["start-items"].Parameters.Bucket, "data-bucket");
    assert.match(result.stderr, /^State machine 'nightly-foreach'/);
  });

  test("batch()'s queue and image, which a deployment does not use, are named in a note; its cpu sizes the step", async () => {
    // when
    const result = await runCli(
      [
        "examples/parameter_flow.ts",
        "step-functions",
        "create",
        "--only-json",
        "--with",
        "batch:queue=big-jobs,image=my/image:1,cpu=2",
      ],
      { env },
    );
    // then
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /^note: steps 'start', 'end' ask batch\(\) for queue, image, which a deployment does not use: /,
    );
    const start = JSON.parse(result.stdout).States.start.Parameters;
    assert.doesNotMatch(JSON.stringify(start), /big-jobs|my\/image/);
    assert.deepEqual(start.ContainerOverrides.ResourceRequirements[0], { Type: "VCPU", Value: "2" });
  });

  test("bad option values are usage errors", async () => {
    const workers = await runCli(
      ["examples/branch_flow.ts", "step-functions", "create", "--only-json", "--max-workers", "x"],
      { env },
    );
    assert.equal(workers.code, 2);
    assert.equal(workers.stderr, "error: Invalid --max-workers 'x': give a whole number of 0 or more.\n");
    const root = await runCli(
      ["examples/branch_flow.ts", "step-functions", "create", "--only-json", "--s3-root", "bucket"],
      { env },
    );
    assert.equal(root.code, 2);
    assert.equal(
      root.stderr,
      `error: Invalid Step Functions option 'datastoreRoot': "bucket". Give s3://bucket/prefix.\n`,
    );
  });

  test("--help lists the options of create", async () => {
    const result = await runCli(["examples/branch_flow.ts", "step-functions", "create", "--help"], { env });
    assert.equal(result.code, 0);
    for (const option of ["--only-json", "--max-workers", "--name", "--workflow-timeout"]) {
      assert.ok(result.stdout.includes(option), option);
    }
  });
});
