// A flow as a Metaflow user ports it, run by `step-functions simulate` the way production runs it:
// a foreach (a Distributed Map) running longer than the simulator's default Task timeout, JSON
// parameters whose defaults are text, a caught timeout that keeps the artifacts assigned before it,
// the run's `user:` tag, and `--distributed-map never` with the default --max-workers.
//
// The simulator's default Task timeout is 60 s; short-interpreter-timeout.mjs makes that one
// default 0.3 s, so a Map that still relied on it would fail here within a second, not a minute.
import assert from "node:assert/strict";
import path from "node:path";
import { before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { Flow, Run, Task } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";

const FLOW = path.join(REPO, "test/fixtures/flows/long_map.ts");
const SHORT_DEFAULT = pathToFileURL(path.join(REPO, "test/helpers/short-interpreter-timeout.mjs")).href;
const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root, { NODE_OPTIONS: `--import ${SHORT_DEFAULT}` });
const client = { datastore: root, namespace: null };

describe("simulate: a long Distributed Map, text JSON defaults, a caught timeout", () => {
  let stderr = "";
  let pathspec = "";

  before(async () => {
    const result = await runCli([FLOW, "step-functions", "simulate", "--token", "longmap"], { env });
    stderr = result.stderr;
    assert.equal(result.code, 0, result.stderr);
    pathspec = `LongMapFlow/${simulatedRunIdFrom(result.stderr)}`;
  });

  test("the Distributed Map outlasts the simulator's default Task timeout", () => {
    assert.match(stderr, /foreach 'start': Distributed Map/);
    assert.doesNotMatch(stderr, /States\.Timeout/);
  });

  test("text defaults of JSON parameters are parsed, literal or computed", async () => {
    const seen = await (await Task.get(`${pathspec}/end/0`, client)).load<Record<string, unknown>>("seen");
    assert.deepEqual(seen.config, { a: [8] });
    assert.deepEqual(seen.computed, { b: 2 });
    assert.deepEqual(seen.parameterNames, ["config", "computed"]);
  });

  test("foreachStack frames name the foreach's artifact", async () => {
    const join = await Task.get(`${pathspec}/join/0`, client);
    assert.deepEqual(await join.load("frames"), [[["start", "items", 0]], [["start", "items", 1]]]);
  });

  test("a caught timeout keeps what the step assigned before it, as a Timeout", async () => {
    const slow = await Task.get(`${pathspec}/slow/0`, client);
    assert.equal(slow.exception?.type, "Timeout");
    assert.equal(slow.finished && !slow.successful, true, "caught: finished, not successful");
    assert.equal(slow.attempt, 0, "caught by the attempt itself, no fallback attempt");
    assert.equal(await slow.load("before"), "kept");
    assert.deepEqual(
      slow.artifacts().map((a) => a.name),
      ["before", "computed", "config", "failure", "frames"],
      "what the step would have assigned after its timeout is not there",
    );
    const seen = await (await Task.get(`${pathspec}/end/0`, client)).load<Record<string, unknown>>("seen");
    assert.equal(seen.before, "kept");
    assert.equal(seen.failure, "Timeout");
  });

  test("a production run carries the user:step-functions tag and is found in that namespace", async () => {
    const run = await Run.get(pathspec, client);
    assert.ok(run.systemTags.includes("user:step-functions"), run.systemTags.join(", "));
    const runs = await (
      await Flow.get("LongMapFlow", { datastore: root, namespace: "user:step-functions" })
    ).runs();
    assert.deepEqual(
      runs.map((r) => r.pathspec),
      [pathspec],
    );
  });
});

test("simulate --distributed-map never alone caps the foreach's concurrency at 40, with a note", async () => {
  const simulated = await runCli(
    ["examples/foreach_flow.ts", "step-functions", "simulate", "--distributed-map", "never", "--count", "2"],
    { env: flowshipEnv(root) },
  );
  assert.equal(simulated.code, 0, simulated.stderr);
  assert.match(
    simulated.stderr,
    /^note: --distributed-map never makes every foreach an inline Map, which runs at most 40 iterations at once: --max-workers 40 instead of the default 100\.$/m,
  );
  assert.match(simulated.stderr, /foreach 'start': inline Map/);
  // The same for create; a --max-workers given on the command line is still refused.
  const created = await runCli(
    ["examples/foreach_flow.ts", "step-functions", "create", "--only-json", "--distributed-map", "never"],
    { env: flowshipEnv(root) },
  );
  assert.equal(created.code, 0, created.stderr);
  assert.match(created.stdout, /"MaxConcurrency": 40/);
  const given = await runCli(
    [
      "examples/foreach_flow.ts",
      "step-functions",
      "create",
      "--only-json",
      "--distributed-map",
      "never",
      "--max-workers",
      "100",
    ],
    { env: flowshipEnv(root) },
  );
  assert.equal(given.code, 2, given.stderr);
});
