// SIGKILL of the local runtime at seeded random moments of a branch + foreach run: the run never
// reads as successful, every stored object reads back whole, its tasks die with it, and `resume`
// finishes it with exactly the artifacts of a clean run.
import assert from "node:assert/strict";
import { type ChildProcessByStdio, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import { describe, test } from "node:test";
import { setTimeout } from "node:timers/promises";
import { Run, Step } from "../../src/client/index.js";
import { BIN, flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";
import { waitForTasksToDie } from "../helpers/live-tasks.js";
import { runArtifacts } from "../helpers/run-artifacts.js";
import { scanDatastore } from "../helpers/scan-datastore.js";

const FLOW = "test/fixtures/flows/crash_flow.ts";
/** Kills that must land before the run ends (rounds where it finished first do not count). */
const KILLS = 20;
const MAX_ROUNDS = 40;
const STEP_DELAY_MS = "40";

/** A small seeded generator (Park–Miller), so a failing kill moment can be replayed. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

interface StartedRun {
  child: ChildProcessByStdio<null, null, Readable>;
  /** Resolves with the run id once the run has its record. */
  started: Promise<string>;
  closed: Promise<void>;
}

/** Starts a slowed-down run of the flow in a child process. */
function startRun(root: string): StartedRun {
  const child = spawn(process.execPath, [BIN, FLOW, "run"], {
    env: flowshipEnv(root, { STEP_DELAY_MS }),
    cwd: REPO,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const closed = new Promise<void>((resolve) => child.on("close", () => resolve()));
  const started = new Promise<string>((resolve, reject) => {
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
      if (/Running CrashFlow\/\d+ as/.test(stderr)) resolve(runIdFrom(stderr));
    });
    closed.then(() => reject(new Error(`the run never started:\n${stderr}`)));
  });
  return { child, started, closed };
}

/** How long a slowed-down run goes on once it has its record. */
async function runDuration(root: string): Promise<number> {
  const run = startRun(root);
  await run.started;
  const from = Date.now();
  await run.closed;
  assert.equal(run.child.exitCode, 0);
  return Date.now() - from;
}

/**
 * Starts a run, waits until it has its record (and `ready` holds), then SIGKILLs its runtime
 * `delayMs` later. Returns the run id.
 */
async function runAndKill(
  root: string,
  delayMs: number,
  ready: (runId: string) => Promise<boolean> = async () => true,
): Promise<{ runId: string; pid: number }> {
  const run = startRun(root);
  const runId = await run.started;
  while (run.child.exitCode === null && !(await ready(runId))) await setTimeout(20);
  await setTimeout(delayMs);
  run.child.kill("SIGKILL");
  await run.closed;
  return { runId, pid: run.child.pid! };
}

describe("SIGKILL of the local runtime", () => {
  test(`at ${KILLS} seeded random moments: never successful, nothing half-written, resume = clean run`, async (t) => {
    // given: the artifacts of a clean run, and how long a slowed-down run takes
    const root = path.join(tempDir(), ".flowship");
    const clean = await runCli([FLOW, "run"], { env: flowshipEnv(root) });
    assert.equal(clean.code, 0, clean.stderr);
    const expected = await runArtifacts(root, `CrashFlow/${runIdFrom(clean.stderr)}`);
    const window = await runDuration(root);
    const random = seeded(20261124);
    const store = flowStore(root, "CrashFlow");
    let landed = 0;

    for (let round = 0; landed < KILLS && round < MAX_ROUNDS; round++) {
      // when: the runtime is killed at a random moment of the run
      const delay = Math.floor(random() * window);
      const { runId, pid } = await runAndKill(root, delay);
      const where = `round ${round} (killed ${delay} of ${window} ms into run ${runId})`;
      const alive = await waitForTasksToDie(runId, pid);
      assert.deepEqual(alive, [], `${where}: tasks outlived their runtime`);
      const run = await Run.get(`CrashFlow/${runId}`, { datastore: root, namespace: null });
      if (run.successful) {
        // The kill came after the run had recorded its end: it did finish, and completely.
        assert.equal(run.finished, true, where);
        assert.deepEqual(await runArtifacts(root, run.pathspec), expected, where);
        continue;
      }

      // then: the run reads as killed, never as successful, and its tasks are gone
      landed++;
      const done = (await run.steps()).flatMap((step) => step.taskIds).length;
      t.diagnostic(`${where}: ${done} task folders`);
      assert.equal(run.status, "killed", where);
      assert.equal(run.successful, false, where);
      assert.equal(await store.readRunEnd(runId), undefined, `${where}: a killed run has no end`);
      // every record passes its checksum and every blob its hash
      assert.deepEqual(scanDatastore(root).problems, [], where);

      // and resume finishes it with the artifacts of a clean run
      const resumed = await runCli([FLOW, "resume", "--origin-run-id", runId], {
        env: flowshipEnv(root),
      });
      assert.equal(resumed.code, 0, `${where}: ${resumed.stderr}`);
      const resumedId = runIdFrom(resumed.stderr);
      assert.deepEqual(await runArtifacts(root, `CrashFlow/${resumedId}`), expected, where);
      const finished = await Run.get(`CrashFlow/${resumedId}`, { datastore: root, namespace: "user:tester" });
      assert.equal(finished.successful, true, where);
    }
    assert.ok(landed >= KILLS, `only ${landed} kills landed while a run was going`);
  });

  test("a task folder a kill left with only its logs reads as no task", async () => {
    // given: a killed run whose merge and end tasks got their log files but were killed before
    // they recorded their start
    const root = path.join(tempDir(), ".flowship");
    const store = flowStore(root, "CrashFlow");
    // (killed once `side` finished and a `work` task recorded its start, so both steps have tasks)
    const sideDone = async (id: string) =>
      (await store.readSuccessfulEnd(id, "side", "0")) !== undefined &&
      (await store.readAttempts(id, "work", "0")) !== undefined;
    const { runId, pid } = await runAndKill(root, 0, sideDone);
    await waitForTasksToDie(runId, pid);
    for (const step of ["merge", "end"]) {
      const folder = store.storage.localPath!(store.taskKey(runId, step, "0"));
      fs.rmSync(folder, { recursive: true, force: true });
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, "0.stdout.log"), "");
    }
    // and a work task it killed between its start and end records
    const work = store.storage.localPath!(store.taskKey(runId, "work", "0"));
    fs.rmSync(path.join(work, "0.end.json"), { force: true });
    // and a step folder it made just before it was killed, without the task folder inside
    const gather = path.dirname(store.storage.localPath!(store.taskKey(runId, "gather", "0")));
    fs.rmSync(gather, { recursive: true, force: true });
    fs.mkdirSync(gather);
    // when
    const run = await Run.get(`CrashFlow/${runId}`, { datastore: root, namespace: null });
    const merge = await Step.get(`CrashFlow/${runId}/merge`, { datastore: root, namespace: null });
    // then
    assert.equal(run.status, "killed");
    assert.equal(run.endTask, undefined);
    assert.deepEqual(await merge.tasks(), []);
    assert.deepEqual(
      (await run.steps()).map((step) => step.name),
      ["start", "fan", "work", "side", "merge", "end"],
    );
    const logs = await runCli([FLOW, "logs", runId], { env: flowshipEnv(root) });
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, new RegExp(`==> CrashFlow/${runId}/side/0 \\(attempt 0, stdout\\) <==`));
    // and dump says the attempt with no end ended with its run, not that it is running
    const dump = await runCli([FLOW, "dump", `${runId}/work/0`], { env: flowshipEnv(root) });
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(
      dump.stdout,
      new RegExp(`^CrashFlow/${runId}/work/0 \\(attempt 0, killed with its run\\)$`, "m"),
    );
  });
});
