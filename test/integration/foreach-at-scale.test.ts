// Foreach at production scale, through the real CLI: which Map each foreach compiles to (and that
// AWS's validators accept it), simulated Distributed Maps giving a local run's artifacts, and a
// foreach too wide for its deployment failing before any item runs.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { validatorFindings } from "../helpers/asl-validators.js";
import { flowshipEnv, runCli, runIdFrom, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { endArtifacts } from "../helpers/run-artifacts.js";

const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root);

function create(file: string, ...args: string[]) {
  return runCli([file, "step-functions", "create", "--only-json", ...args], { env });
}

/** The Map states of a definition, nested ones included, by name. */
function mapStates(states: Record<string, any>, found: Record<string, any> = {}): Record<string, any> {
  for (const [name, state] of Object.entries(states)) {
    if (state.Type === "Map") found[name] = state;
    for (const branch of state.Branches ?? []) mapStates(branch.States, found);
    if (state.ItemProcessor) mapStates(state.ItemProcessor.States, found);
  }
  return found;
}

/** Task folders the datastore holds for `step` of a run. */
function taskFolders(flow: string, runId: string, step: string): string[] {
  const folder = path.join(root, flow, "runs", runId, "steps", step);
  return fs.existsSync(folder) ? fs.readdirSync(folder) : [];
}

describe("foreach at scale: compile", () => {
  test("--max-workers 500 gives a Distributed Map running 500 child executions at once, which AWS's validators accept", async () => {
    // when
    const result = await create("examples/nested_foreach_flow.ts", "--max-workers", "500");
    // then
    assert.equal(result.code, 0, result.stderr);
    const maps = mapStates(JSON.parse(result.stdout).States);
    assert.deepEqual(Object.keys(maps).sort(), ["per_model-foreach", "start-foreach"]);
    for (const map of Object.values(maps)) {
      assert.deepEqual(map.ItemProcessor.ProcessorConfig, { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" });
      assert.equal(map.MaxConcurrency, 500);
      assert.equal(map.ItemReader.Resource, "arn:aws:states:::s3:getObject");
      assert.equal(map.ResultWriter.Resource, "arn:aws:states:::s3:putObject");
    }
    assert.deepEqual(await validatorFindings(result.stdout), []);
    assert.match(
      result.stderr,
      /^foreach 'start': Distributed Map, up to 1,000,000 items \(--max-workers 500 is more than the 40 iterations an inline Map runs at once\)$/m,
    );
  });

  test("an inline Map is never given more than the 40 iterations it runs at once", async () => {
    // --max-workers 40 stays inline, at 40
    const inline = await create("examples/foreach_flow.ts", "--max-workers", "40");
    assert.equal(inline.code, 0, inline.stderr);
    const map = JSON.parse(inline.stdout).States["start-foreach"];
    assert.deepEqual(map.ItemProcessor.ProcessorConfig, { Mode: "INLINE" });
    assert.equal(map.MaxConcurrency, 40);
    assert.match(inline.stderr, /^foreach 'start': inline Map, up to 2,\d{3} items \(--max-workers 40 fits/m);
    // more than 40 with Distributed Maps refused is an error, not a silent cap
    const never = await create(
      "examples/foreach_flow.ts",
      "--max-workers",
      "41",
      "--distributed-map",
      "never",
    );
    assert.equal(never.code, 2);
    assert.equal(
      never.stderr,
      "error: Invalid Step Functions option 'maxWorkers': 41. Give 1 to 40 with distributedMap 'never': an inline Map runs at most 40 iterations at once (or allow a Distributed Map).\n",
    );
  });

  test("a 100,000-wide foreach with --max-workers 1000 passes every limit check; inline it cannot", async () => {
    // when
    const wide = await create(
      "examples/foreach_flow.ts",
      "--max-workers",
      "1000",
      "--max-foreach-width",
      "100000",
    );
    // then
    assert.equal(wide.code, 0, wide.stderr);
    const definition = JSON.parse(wide.stdout);
    assert.equal(definition.States["start-foreach"].MaxConcurrency, 1000);
    const env = definition.States.start.Parameters.ContainerOverrides.Environment;
    assert.deepEqual(
      env.filter((e: { Name: string }) => e.Name.startsWith("FLOWSHIP_FOREACH")),
      [
        { Name: "FLOWSHIP_FOREACH_MAX_WIDTH", Value: "100000" },
        { Name: "FLOWSHIP_FOREACH_MODE", Value: "distributed" },
      ],
    );
    assert.deepEqual(await validatorFindings(wide.stdout), []);
    // auto mode makes a foreach distributed for its width alone
    const auto = await create(
      "examples/foreach_flow.ts",
      "--max-workers",
      "10",
      "--max-foreach-width",
      "100000",
    );
    assert.equal(auto.code, 0, auto.stderr);
    assert.match(
      auto.stderr,
      /^foreach 'start': Distributed Map, up to 100,000 items \(--max-foreach-width 100000 is more than the 2,\d{3} items an inline Map could hold/m,
    );
    // with Distributed Maps refused, the flow cannot run such a foreach: the compile says so
    const never = await create(
      "examples/foreach_flow.ts",
      "--max-workers",
      "10",
      "--max-foreach-width",
      "100000",
      "--distributed-map",
      "never",
    );
    assert.equal(never.code, 1);
    assert.match(
      never.stderr,
      /^error: Items of inline foreach step 'start' within 22,500 history events exceeded by step 'start' of flow 'ForeachFlow': 100000 items, the limit is 2\d{3}\. Allow a Distributed Map/,
    );
  });

  test("bad --distributed-map and --max-foreach-width values are usage errors", async () => {
    const mode = await create("examples/foreach_flow.ts", "--distributed-map", "sometimes");
    assert.equal(mode.code, 2);
    assert.equal(mode.stderr, "error: Invalid --distributed-map 'sometimes': give always, auto, never.\n");
    const width = await create("examples/foreach_flow.ts", "--max-foreach-width", "0");
    assert.equal(width.code, 2);
    assert.equal(
      width.stderr,
      "error: Invalid --max-foreach-width '0': give a whole number from 1 to 100000000.\n",
    );
  });
});

describe("foreach at scale: simulated and local runs", () => {
  test("a simulated Distributed Map of 60 items gives a local run's artifacts", async () => {
    // given
    const local = await runCli(["examples/foreach_flow.ts", "run", "--count", "60"], { env });
    assert.equal(local.code, 0, local.stderr);
    const expected = await endArtifacts(`ForeachFlow/${runIdFrom(local.stderr)}`, {
      datastore: { kind: "local", root },
      namespace: "user:tester",
    });
    // when
    const simulated = await runCli(
      ["examples/foreach_flow.ts", "step-functions", "simulate", "--token", "ci", "--count", "60"],
      { env },
    );
    // then
    assert.equal(simulated.code, 0, simulated.stderr);
    assert.match(simulated.stderr, /^foreach 'start': Distributed Map/m);
    assert.match(simulated.stderr, /Execution succeeded: run ForeachFlow\/sfn-local-\d+, 63 Batch jobs/);
    const actual = await endArtifacts(`ForeachFlow/${simulatedRunIdFrom(simulated.stderr)}`, {
      datastore: { kind: "local", root },
      namespace: "production:ci",
    });
    assert.deepEqual(actual, expected);
    assert.equal((actual.results as number[]).length, 60);
  });

  // Both foreaches distributed (the inner one's children are grandchildren) is the default that
  // step-functions-simulate.test.ts runs for every example.
  for (const [mode, args] of [
    ["inline Maps", ["--distributed-map", "never", "--max-workers", "10"]],
    ["an outer Distributed Map around an inline one", ["--max-workers", "10", "--max-foreach-width", "2000"]],
  ] as const) {
    test(`a nested foreach simulated with ${mode} gives a local run's artifacts`, async () => {
      const local = await runCli(["examples/nested_foreach_flow.ts", "run"], { env });
      assert.equal(local.code, 0, local.stderr);
      const expected = await endArtifacts(`NestedForeachFlow/${runIdFrom(local.stderr)}`, {
        datastore: { kind: "local", root },
        namespace: "user:tester",
      });
      const simulated = await runCli(
        ["examples/nested_foreach_flow.ts", "step-functions", "simulate", "--token", "ci", ...args],
        { env },
      );
      assert.equal(simulated.code, 0, simulated.stderr);
      const actual = await endArtifacts(`NestedForeachFlow/${simulatedRunIdFrom(simulated.stderr)}`, {
        datastore: { kind: "local", root },
        namespace: "production:ci",
      });
      assert.deepEqual(actual, expected);
    });
  }

  test("a simulated foreach wider than its deployment allows fails before any item runs", async () => {
    for (const args of [
      ["--max-foreach-width", "5"],
      ["--distributed-map", "never", "--max-workers", "10"],
    ]) {
      // given: 5 items allowed, or an inline Map, which holds under 3,000
      const count = args[0] === "--max-foreach-width" ? "6" : "3000";
      // when
      const result = await runCli(
        [
          "examples/foreach_flow.ts",
          "step-functions",
          "simulate",
          "--token",
          "ci",
          ...args,
          "--count",
          count,
        ],
        { env },
      );
      // then
      assert.equal(result.code, 1, result.stderr);
      const why =
        count === "6"
          ? "more than the 5 this deployment allows \\(step-functions create --max-foreach-width, default 1,000,000\\); none of them was started\\. Deploy again with a larger --max-foreach-width"
          : "more than the 2,\\d{3} an inline Map can run within its execution's 25,000-event history .*; none of them was started\\. Deploy with `step-functions create --distributed-map always`";
      assert.match(
        result.stderr,
        new RegExp(
          `Step 'start' failed: Foreach of step 'start' over 'items' has ${Number(count).toLocaleString("en-US")} items, ${why}`,
        ),
      );
      assert.match(result.stderr, /Execution failed: .*, 1 Batch jobs/);
      const runId = /run ForeachFlow\/(sfn-local-\d+)/.exec(result.stderr)![1]!;
      assert.deepEqual(taskFolders("ForeachFlow", runId, "square"), []);
    }
  });

  test("a local run refuses a foreach wider than --max-foreach-width before any item runs", async () => {
    const result = await runCli(
      ["examples/foreach_flow.ts", "run", "--max-foreach-width", "5", "--count", "6"],
      { env },
    );
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Foreach of step 'start' over 'items' has 6 items, more than the 5 this run allows \(--max-foreach-width\); none of them was started\. Pass fewer items, or run with a larger --max-foreach-width\./,
    );
    assert.deepEqual(taskFolders("ForeachFlow", runIdFrom(result.stderr), "square"), []);
    const bad = await runCli(["examples/foreach_flow.ts", "run", "--max-foreach-width", "0"], { env });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "error: Invalid --max-foreach-width '0': give a whole number of 1 or more.\n");
  });
});
