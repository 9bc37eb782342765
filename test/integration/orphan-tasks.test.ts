// A task never outlives its runtime: SIGKILL the runtime while a step spins in a synchronous loop
// (its event loop blocked, so it cannot notice its stdin close), and the task dies with it instead
// of finishing its side effect into a killed run.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { setTimeout } from "node:timers/promises";
import { BIN, flowshipEnv, REPO, tempDir } from "../helpers/cli.js";

const FLOW = path.join(REPO, "test/fixtures/flows/busy_flow.ts");

test("a task spinning in a synchronous loop dies when its runtime is SIGKILLed", async () => {
  // given: a run whose start step spins for 4 s, then writes a mark
  const dir = tempDir();
  const mark = path.join(dir, "mark");
  const runtime = spawn(process.execPath, [BIN, FLOW, "run"], {
    env: flowshipEnv(path.join(dir, ".flowship"), { BUSY_MS: "4000", BUSY_MARK: mark }),
    stdio: "ignore",
  });
  for (const deadline = Date.now() + 60_000; !fs.existsSync(`${mark}.started`); ) {
    assert.ok(Date.now() < deadline, "the step never started");
    await setTimeout(20);
  }
  // when: the runtime is killed while the loop spins
  runtime.kill("SIGKILL");
  // then: well after the loop would have ended, no mark
  await setTimeout(6000);
  assert.equal(fs.existsSync(mark), false, "the orphaned task finished its step");
});

/** Running: not gone, and not a zombie waiting for a PID 1 that does not reap (as in containers). */
function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

async function gone(pids: number[], ms: number): Promise<number[]> {
  for (const deadline = Date.now() + ms; pids.some(alive) && Date.now() < deadline; ) await setTimeout(20);
  return pids.filter(alive);
}

test("what a step started dies with its attempt and with a SIGKILLed runtime, in every isolation", async () => {
  const flow = path.join(REPO, "test/fixtures/flows/orphan_children.ts");
  const problems = await Promise.all(
    (["host", "process", "thread"] as const).map(async (isolation) => {
      // given: a step that starts a subprocess with an environment of its own, one in a session
      // of its own, and a grandchild; with host and process isolation its first attempt then
      // kills its host or task process, and the retry checks that those three died with it
      const dir = tempDir();
      const die = isolation !== "thread";
      const runtime = spawn(process.execPath, [BIN, flow, "run", "--isolation", isolation], {
        env: flowshipEnv(path.join(dir, ".flowship"), { ORPHAN_DIR: dir, ORPHAN_DIE: die ? "1" : undefined }),
        stdio: "ignore",
      });
      const started = path.join(dir, "1");
      for (const deadline = Date.now() + 60_000; !fs.existsSync(started); ) {
        if (Date.now() > deadline) return [`${isolation}: the step never started its subprocesses`];
        await setTimeout(20);
      }
      const pids = fs.readFileSync(started, "utf8").split(" ").map(Number);
      // when: the runtime is SIGKILLed while the step waits
      runtime.kill("SIGKILL");
      // then: nothing the step started is left
      const found: string[] = [];
      if (die) {
        const verdict = fs.readFileSync(path.join(dir, "verdict"), "utf8");
        if (verdict !== "alive: ") found.push(`${isolation}: outlived their attempt: ${verdict}`);
      }
      const left = await gone(pids, 5000);
      for (const pid of left) process.kill(pid, "SIGKILL");
      if (pids.length !== 3 || left.length > 0) found.push(`${isolation}: outlived the runtime: ${left}`);
      return found;
    }),
  );
  assert.deepEqual(problems.flat(), []);
});
