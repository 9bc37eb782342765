// The Client API reads real runs of the examples: flows, runs, steps, tasks, artifacts, foreach
// index and input, logs, and pathspec errors.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  AmbiguousTaskError,
  Flow,
  getDatastore,
  InvalidPathspecError,
  listFlows,
  type ObjectNotFoundError,
  Run,
  Step,
  setDatastore,
  Task,
} from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

process.env.FLOWSHIP_USER = "tester";
delete process.env.FLOWSHIP_PRODUCTION_TOKEN;

const root = tempDir();
const env = flowshipEnv(root);
const ids: Record<string, string> = {};

async function run(file: string, ...args: string[]): Promise<string> {
  const result = await runCli([file, "run", ...args], { env });
  assert.equal(result.code, 0, result.stderr);
  return runIdFrom(result.stderr);
}

before(async () => {
  ids.branch = await run("examples/branch_flow.ts");
  ids.foreachOld = await run("examples/foreach_flow.ts", "--count", "2");
  ids.foreach = await run("examples/foreach_flow.ts", "--count", "4", "--tag", "four");
  ids.nested = await run("examples/nested_foreach_flow.ts");
  setDatastore(root);
});

describe("Client API on example runs", () => {
  test("setDatastore points every call at the datastore", () => {
    assert.deepEqual(getDatastore(), { kind: "local", root });
  });

  test("listFlows lists the flows that ran, not the code folder", async () => {
    // when
    const flows = await listFlows();
    // then
    assert.deepEqual(
      flows.map((f) => f.name),
      ["BranchFlow", "ForeachFlow", "NestedForeachFlow"],
    );
  });

  test("Flow lists runs newest first and finds the latest ones", async () => {
    const flow = await Flow.get("ForeachFlow");
    const runs = await flow.runs();
    assert.deepEqual(
      runs.map((r) => r.id),
      [ids.foreach, ids.foreachOld],
    );
    assert.equal((await flow.latestRun())?.id, ids.foreach);
    assert.equal((await flow.latestSuccessfulRun())?.id, ids.foreach);
    assert.deepEqual(
      (await flow.runs({ tags: ["four"] })).map((r) => r.id),
      [ids.foreach],
    );
    assert.deepEqual(await flow.runs({ tags: ["four", "missing"] }), []);
    assert.equal((await flow.run(ids.foreachOld!)).id, ids.foreachOld);
    // Metaflow's runs("four") (no type check in a script) is refused, not read as "no filter"
    const loose = flow as unknown as { runs(...args: unknown[]): Promise<unknown> };
    await assert.rejects(loose.runs("four"), {
      code: "FS_CLIENT_OPTIONS",
      message: `Invalid options of flow.runs(): tags go in an object: flow.runs({ tags: ["four"] }) (Metaflow's flow.runs("four")).`,
    });
    await assert.rejects(loose.runs({ tag: ["four"] }), { code: "FS_CLIENT_OPTIONS" });
    const run = await flow.run(ids.foreach!);
    await assert.rejects((run as unknown as { steps(t: string): Promise<unknown> }).steps("four"), {
      code: "FS_CLIENT_OPTIONS",
    });
    const step = await run.step("square");
    await assert.rejects((step as unknown as { tasks(t: string): Promise<unknown> }).tasks("four"), {
      code: "FS_CLIENT_OPTIONS",
    });
  });

  test("Run shows status, times, tags, parameters and the end task's data", async () => {
    // given
    const run = await Run.get(`ForeachFlow/${ids.foreach}`);
    // then
    assert.equal(run.pathspec, `ForeachFlow/${ids.foreach}`);
    assert.equal(run.status, "succeeded");
    assert.equal(run.successful, true);
    assert.equal(run.finished, true);
    assert.ok(run.endedAt && run.endedAt >= run.startedAt);
    assert.equal(run.user, "tester");
    assert.equal(run.namespace, "user:tester");
    assert.deepEqual(run.userTags, ["four"]);
    assert.ok(run.systemTags.includes("user:tester"));
    assert.ok(run.tags.includes("four") && run.tags.includes("runtime:local"));
    assert.equal(run.originRunId, undefined);
    assert.match(run.codeHash, /^[0-9a-f]{64}$/);
    assert.deepEqual(await run.parameters(), { count: 4 });
    assert.equal(run.endTask?.pathspec, `ForeachFlow/${ids.foreach}/end/0`);
    assert.deepEqual(await run.data?.results, [1, 4, 9, 16]);
  });

  test("Run lists its steps in the flow's order", async () => {
    const run = await Run.get(`BranchFlow/${ids.branch}`);
    const steps = await run.steps();
    assert.deepEqual(
      steps.map((s) => s.name),
      ["start", "double", "square", "join", "end"],
    );
    assert.equal((await run.step("square")).pathspec, `BranchFlow/${ids.branch}/square`);
  });

  test("Step lists its tasks; task() gives the only one", async () => {
    const square = await Step.get(`BranchFlow/${ids.branch}/square`);
    const task = await square.task();
    assert.equal(task.id, "0");
    assert.equal(await task.load("squared"), 49);
    const fanned = await Step.get(`ForeachFlow/${ids.foreach}/square`);
    assert.deepEqual(
      (await fanned.tasks()).map((t) => t.id),
      ["0", "1", "2", "3"],
    );
    await assert.rejects(fanned.task(), (e: Error) => e instanceof AmbiguousTaskError);
    assert.equal((await fanned.task("3")).pathspec, `ForeachFlow/${ids.foreach}/square/3`);
  });

  test("Task shows artifacts without loading them, and loads them on demand", async () => {
    const task = await Task.get(`BranchFlow/${ids.branch}/join/0`);
    assert.equal(task.successful, true);
    assert.equal(task.finished, true);
    assert.equal(task.status, "succeeded");
    assert.equal(task.exception, undefined);
    assert.equal(task.attempt, 0);
    assert.deepEqual(
      task.artifacts().map((a) => [a.name, a.type, a.size > 0, /^[0-9a-f]{64}$/.test(a.hash)]),
      [
        ["base", "number", true, true],
        ["total", "number", true, true],
      ],
    );
    assert.deepEqual(Object.keys(task.data), ["base", "total"]);
    assert.equal(await task.data.total, 7 * 2 + 7 ** 2);
    assert.equal(await task.artifact("base").load(), 7);
    assert.deepEqual(task.inputs.sort(), [
      `BranchFlow/${ids.branch}/double/0`,
      `BranchFlow/${ids.branch}/square/0`,
    ]);
    assert.throws(() => task.artifact("doubled"), { code: "FS_CLIENT_NOT_FOUND" });
    // A misspelt name rejects, naming the closest one (Metaflow: AttributeError), instead of
    // reading as undefined; `await` and JSON.stringify probe `then` and `toJSON` unharmed.
    await assert.rejects(task.data.totl, (e: ObjectNotFoundError) => {
      assert.equal(e.code, "FS_CLIENT_NOT_FOUND");
      assert.match(e.message, /join\/0\/totl'.*Did you mean 'total'\?/);
      return true;
    });
    assert.equal("totl" in task.data, false);
    assert.equal(await (await Run.get(`BranchFlow/${ids.branch}`)).data?.total, 63);
    assert.equal(JSON.stringify(Object.keys(JSON.parse(JSON.stringify(task.data)))), '["base","total"]');
    // an attempt number read from process.argv is text: refused as such, not "attempt '0' not found"
    await assert.rejects(Task.get(task.pathspec, { attempt: "0" as never }), {
      code: "FS_CLIENT_OPTIONS",
      message: `Invalid options of Task.get(): 'attempt' is a whole number such as 1, got "0".`,
    });
  });

  test("foreach tasks know their index and input", async () => {
    const task = await Task.get(`ForeachFlow/${ids.foreach}/square/2`);
    assert.equal(task.index, 2);
    assert.equal(await task.input(), 3);
    assert.equal(await task.data.result, 9);
    assert.equal(await task.stdout(), "item 2: 3² = 9\n");
    assert.equal(await task.stderr(), "");
    const start = await Task.get(`ForeachFlow/${ids.foreach}/start/0`);
    assert.equal(start.index, undefined);
    assert.equal(await start.input(), undefined);
  });

  test("nested foreach tasks see the innermost frame; outer frames stay listed", async () => {
    const train = await Task.get(`NestedForeachFlow/${ids.nested}/train/1.2`);
    assert.deepEqual(
      train.foreachStack.map((f) => [f.step, f.index, f.numSplits]),
      [
        ["start", 1, 2],
        ["per_model", 2, 3],
      ],
    );
    assert.equal(train.index, 2);
    assert.equal(await train.input(), 3);
    assert.equal(await train.data.model, "tree");
    const perModel = await Task.get(`NestedForeachFlow/${ids.nested}/per_model/1`);
    assert.equal(await perModel.input(), "tree");
    const run = await Run.get(`NestedForeachFlow/${ids.nested}`);
    assert.deepEqual(await run.data?.summary, { linear: [11, 22, 33], tree: [11, 22, 33] });
    assert.deepEqual((await run.step("score_a")).taskIds, ["0.0", "0.1", "0.2", "1.0", "1.1", "1.2"]);
  });

  test("a datastore option overrides setDatastore", async () => {
    const elsewhere = tempDir();
    await assert.rejects(Flow.get("BranchFlow", { datastore: elsewhere }), (e: ObjectNotFoundError) => {
      assert.equal(e.code, "FS_CLIENT_NOT_FOUND");
      assert.equal(
        e.message,
        `Flow not found: 'BranchFlow' is not in the datastore ${elsewhere}. Run the flow first, or point the client at the datastore it ran in (--datastore-root or FLOWSHIP_DATASTORE_ROOT on the command line, setDatastore() in code).`,
      );
      return true;
    });
    assert.deepEqual(await listFlows({ datastore: elsewhere }), []);
  });

  test("unknown pathspecs name the pathspec and the datastore", async () => {
    await assert.rejects(Run.get("BranchFlow/1"), {
      code: "FS_CLIENT_NOT_FOUND",
      message: `Run not found: 'BranchFlow/1' is not in the datastore ${root}. Check the pathspec, or point the client at the right datastore (--datastore-root or FLOWSHIP_DATASTORE_ROOT on the command line, setDatastore() in code).`,
    });
    await assert.rejects(Step.get(`BranchFlow/${ids.branch}/nope`), { code: "FS_CLIENT_NOT_FOUND" });
    await assert.rejects(Task.get(`BranchFlow/${ids.branch}/start/7`), { code: "FS_CLIENT_NOT_FOUND" });
    await assert.rejects(Task.get(`BranchFlow/${ids.branch}/start/0`, { attempt: 3 }), {
      code: "FS_CLIENT_NOT_FOUND",
    });
  });

  test("bad pathspecs are refused before anything is read", async () => {
    await assert.rejects(Task.get("../../etc/passwd"), (e: Error) => e instanceof InvalidPathspecError);
    await assert.rejects(Run.get("BranchFlow/.."), { code: "FS_PATHSPEC_INVALID" });
    await assert.rejects(Run.get("BranchFlow"), { code: "FS_PATHSPEC_INVALID" });
    const run = await Run.get(`BranchFlow/${ids.branch}`);
    await assert.rejects(run.step("../runs"), { code: "FS_PATHSPEC_INVALID" });
    const step = await run.step("start");
    await assert.rejects(step.task("0/../../x"), { code: "FS_PATHSPEC_INVALID" });
  });
});
