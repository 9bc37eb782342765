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
