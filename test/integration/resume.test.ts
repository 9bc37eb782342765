// resume: a new run that clones what succeeded (without running it again) and runs the rest.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { BIN, flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore, taskArtifacts } from "../helpers/datastore.js";

const FLOW = "test/fixtures/flows/resumable.ts";

function setup() {
  const dir = tempDir();
  const root = path.join(dir, ".flowship");
  const effects = path.join(dir, "effects.txt");
  return {
    dir,
    root,
    effects,
    env: (extra = {}) => flowshipEnv(root, { SIDE_EFFECT_FILE: effects, ...extra }),
  };
}

const executed = (file: string) => fs.readFileSync(file, "utf8").trim().split("\n").sort();

describe("resume", () => {
  test("after a step failure: clones the successful tasks and yields a clean run's artifacts", async () => {
    // given: a clean run for reference, and a run where item 2 fails
    const clean = setup();
    const reference = await runCli([FLOW, "run", "--scale", "3"], { env: clean.env() });
    assert.equal(reference.code, 0, reference.stderr);
    const expected = await taskArtifacts(clean.root, "ResumableFlow", runIdFrom(reference.stderr), "end");

    const s = setup();
    const failed = await runCli([FLOW, "run", "--scale", "3"], { env: s.env({ FAIL_ITEM: "2" }) });
    assert.equal(failed.code, 1);
    const origin = runIdFrom(failed.stderr);
    fs.writeFileSync(s.effects, "");

    // when: the cause is fixed and the run resumed
    const resumed = await runCli([FLOW, "resume", "--origin-run-id", origin], { env: s.env() });

    // then
    assert.equal(resumed.code, 0, resumed.stderr);
    const runId = runIdFrom(resumed.stderr);
    assert.notEqual(runId, origin);
    assert.deepEqual(
      executed(s.effects),
      ["body/2", "end/0", "join/0"],
      "start, body/0 and body/1 were cloned, not run",
    );
    const end = await taskArtifacts(s.root, "ResumableFlow", runId, "end");
    assert.deepEqual(end, expected);
    assert.equal(end.scale, 3, "parameters come from the origin run");
    const store = flowStore(s.root, "ResumableFlow");
    assert.equal((await store.readRun(runId))?.originRunId, origin);
    const cloned = await store.readAttempts(runId, "body", "0");
    assert.equal(cloned?.starts.get(0)?.origin, `ResumableFlow/${origin}/body/0`);
    assert.match(
      resumed.stderr,
      new RegExp(`\\[${runId}/body/1\\] cloned from ResumableFlow/${origin}/body/1`),
    );
    // and the Client API names the origin of the run, its steps and its cloned tasks (Metaflow's origin_pathspec)
    const client = { datastore: s.root, namespace: null };
    const run = await Run.get(`ResumableFlow/${runId}`, client);
    const body = await run.step("body");
    assert.deepEqual(
      [run.originPathspec, body.originPathspec, (await body.task("0")).originPathspec],
      [`ResumableFlow/${origin}`, `ResumableFlow/${origin}/body`, `ResumableFlow/${origin}/body/0`],
    );
    assert.equal((await body.task("2")).originPathspec, undefined, "run again, not cloned");
    const first = await Run.get(`ResumableFlow/${origin}`, client);
    assert.equal((await first.step("body")).originPathspec, undefined);
  });

  test("after a damaged blob is deleted, resume runs again the tasks that referenced it", async () => {
    // given: a run where item 2 fails, and the blob of body/1's value deleted (as the docs advise
    // for a damaged one)
    const s = setup();
    const failed = await runCli([FLOW, "run", "--scale", "3"], { env: s.env({ FAIL_ITEM: "2" }) });
    assert.equal(failed.code, 1);
    const origin = runIdFrom(failed.stderr);
    const store = flowStore(s.root, "ResumableFlow");
    const value = (await store.readSuccessfulEnd(origin, "body", "1"))!.artifacts.value!;
    fs.rmSync(path.join(s.root, store.content.keyOf(value.hash)));
    fs.writeFileSync(s.effects, "");
    // when
    const resumed = await runCli([FLOW, "resume", "--origin-run-id", origin], { env: s.env() });
    // then: body/1 ran again (and stored its value anew), the rest as before
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(executed(s.effects), ["body/1", "body/2", "end/0", "join/0"]);
    assert.match(
      resumed.stderr,
      new RegExp(
        `1 task of run ${origin} run again: an artifact it references is missing from the datastore \\(body/1\\)`,
      ),
    );
    const end = await taskArtifacts(s.root, "ResumableFlow", runIdFrom(resumed.stderr), "end");
    assert.deepEqual(end.values, [3, 6, 9]);
  });

  test("a new run storing a value whose blob was damaged writes it again, whole", async () => {
    // given: a run, then one of its blobs damaged in place
    const s = setup();
    const first = await runCli([FLOW, "run", "--scale", "3"], { env: s.env() });
    assert.equal(first.code, 0, first.stderr);
    const store = flowStore(s.root, "ResumableFlow");
    const firstId = runIdFrom(first.stderr);
    const values = (await store.readSuccessfulEnd(firstId, "join", "0"))!.artifacts.values!;
    const blob = path.join(s.root, store.content.keyOf(values.hash));
    const bytes = fs.readFileSync(blob);
    bytes[bytes.length - 1]! ^= 0xff;
    fs.writeFileSync(blob, bytes);
    // when: a new run stores the same value
    const second = await runCli([FLOW, "run", "--scale", "3"], { env: s.env() });
    // then: it runs through, and the blob is whole again for both runs
    assert.equal(second.code, 0, second.stderr);
    assert.deepEqual(
      (await taskArtifacts(s.root, "ResumableFlow", runIdFrom(second.stderr), "end")).values,
      [3, 6, 9],
    );
    assert.deepEqual((await taskArtifacts(s.root, "ResumableFlow", firstId, "join")).values, [3, 6, 9]);
  });

  test("from a named step: that step and everything after it run again", async () => {
    const s = setup();
    const first = await runCli([FLOW, "run"], { env: s.env() });
    assert.equal(first.code, 0, first.stderr);
    fs.writeFileSync(s.effects, "");
    const resumed = await runCli([FLOW, "resume", "join"], { env: s.env() });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(executed(s.effects), ["end/0", "join/0"]);
    // Without a step, a succeeded origin is only cloned: a note says so and how to run something.
    fs.writeFileSync(s.effects, "");
    const copy = await runCli([FLOW, "resume", "--origin-run-id", runIdFrom(first.stderr)], { env: s.env() });
    assert.equal(copy.code, 0, copy.stderr);
    assert.equal(fs.readFileSync(s.effects, "utf8"), "", "no step ran");
    assert.match(
      copy.stderr,
      new RegExp(
        `Every task of run ${runIdFrom(first.stderr)} succeeded: all are cloned and nothing runs again; give a STEP`,
      ),
    );
  });

  test("a run still running on this host is not resumed: its steps would run twice", async () => {
    // given: a run whose start step spins for 20 s
    const dir = tempDir();
    const mark = path.join(dir, "mark");
    const env = flowshipEnv(path.join(dir, ".flowship"), { BUSY_MS: "20000", BUSY_MARK: mark });
    const busy = path.join(REPO, "test/fixtures/flows/busy_flow.ts");
    const runIdFile = path.join(dir, "run-id");
    const runtime = spawn(process.execPath, [BIN, busy, "run", "--run-id-file", runIdFile], {
      env,
      stdio: "ignore",
    });
    try {
      for (const deadline = Date.now() + 60_000; !fs.existsSync(`${mark}.started`); ) {
        assert.ok(Date.now() < deadline, "the step never started");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const runId = fs.readFileSync(runIdFile, "utf8");
      // when
      const resumed = await runCli([busy, "resume", "--origin-run-id", runId], { env });
      // then
      assert.equal(resumed.code, 1);
      assert.equal(
        resumed.stderr,
        `error: Cannot resume run 'BusyFlow/${runId}': it is still running (process ${runtime.pid} on this host). Wait for it to end, or stop it (kill ${runtime.pid}), then resume.\n`,
      );
    } finally {
      runtime.kill("SIGKILL");
    }
  });

  test("an unknown step or origin is a clear error", async () => {
    const s = setup();
    const none = await runCli([FLOW, "resume"], { env: s.env() });
    assert.equal(none.code, 1);
    assert.match(
      none.stderr,
      /^error: Cannot resume: flow 'ResumableFlow' has no earlier run in .+; pass --origin-run-id\.\n$/,
    );
    await runCli([FLOW, "run"], { env: s.env() });
    // An empty origin (an unset variable) is refused, locally and on Step Functions, not the latest run.
    for (const args of [["resume"], ["step-functions", "resume"]]) {
      const empty = await runCli([FLOW, ...args, "--origin-run-id", ""], { env: s.env() });
      assert.equal(empty.code, 2, empty.stderr);
      assert.match(empty.stderr, /^error: Invalid run id '': use letters, digits/);
      assert.equal(empty.stderr.split("\n").length, 2, empty.stderr);
    }
    const bad = await runCli([FLOW, "resume", "nosuch"], { env: s.env() });
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr,
      "error: Cannot resume from step 'nosuch': flow 'ResumableFlow' has no such step; its steps are start, body, join, end.\n",
    );
  });

  test("after SIGKILL of the runtime mid-run: finishes with a clean run's artifacts", async () => {
    // given: a run killed (runtime and, through it, its tasks) once body/0 has finished
    const s = setup();
    const child = spawn(process.execPath, [BIN, FLOW, "run"], { env: s.env({ SLOW_ITEMS: "1" }), cwd: REPO });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const store = flowStore(s.root, "ResumableFlow");
    let origin: string | undefined;
    while (!origin || !(await store.readSuccessfulEnd(origin, "body", "0"))) {
      await new Promise((r) => setTimeout(r, 50));
      origin = /Running ResumableFlow\/(\d+)/.exec(stderr)?.[1];
    }
    child.kill("SIGKILL");
    await new Promise((r) => child.on("close", r));
    assert.equal(await store.readRunEnd(origin), undefined, "a killed run never reads as finished");
    await new Promise((r) => setTimeout(r, 200));
    fs.writeFileSync(s.effects, "");

    // when
    const resumed = await runCli([FLOW, "resume"], { env: s.env() });

    // then
    assert.equal(resumed.code, 0, resumed.stderr);
    const ran = executed(s.effects);
    assert.ok(!ran.includes("start/0") && !ran.includes("body/0"), `cloned tasks ran again: ${ran}`);
    assert.ok(ran.includes("end/0"));
    const end = await taskArtifacts(s.root, "ResumableFlow", runIdFrom(resumed.stderr), "end");
    assert.deepEqual(end.values, [10, 20, 30]);
    assert.equal(end.total, 60);
  });
});
