// `flowship <flow> run` starts its run's first task host as the CLI starts (src/runtime/early-host.ts):
// the start step runs in it, a command line refused before the run leaves no host behind, and an
// isolation other than host starts none.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { BIN, flowshipEnv, REPO, tempDir } from "../helpers/cli.js";
import { liveTasksOf } from "../helpers/live-tasks.js";

const FLOW = path.join(REPO, "test/fixtures/flows/host_label.ts");

/** Runs the CLI; resolves with its pid, exit code and output once it has exited. */
function flowship(args: string[], root: string): Promise<{ pid: number; code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, FLOW, ...args], {
      env: flowshipEnv(root),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.stderr.on("data", (chunk) => (out += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ pid: child.pid!, code, out }));
  });
}

/** Waits (at most 5 s) until no host started for the runtime `pid` is alive; returns those left. */
async function earlyHostsLeft(pid: number): Promise<string[]> {
  for (let waited = 0; waited < 5000; waited += 25) {
    if (liveTasksOf("(no run)", pid).length === 0) return [];
    await sleep(25);
  }
  return liveTasksOf("(no run)", pid);
}

describe("a run's first task host, started as the CLI starts", () => {
  const root = path.join(tempDir(), ".flowship");

  test("runs the start step, names its runtime, and is gone with the run", async () => {
    const run = await flowship(["run"], root);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, new RegExp(`start host: pid:${run.pid}\\n`));
    // The end step runs in the same host: the pool lends it again.
    assert.match(run.out, new RegExp(`end host: pid:${run.pid}\\n`));
    assert.deepEqual(await earlyHostsLeft(run.pid), []);
  });

  test("a command line refused before the run starts exits as before and leaves no host", async () => {
    const refused = await flowship(["run", "--steps", "many"], root);
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /parameter 'steps'/);
    assert.deepEqual(await earlyHostsLeft(refused.pid), []);
  });

  test("--isolation process starts no task host", async () => {
    const run = await flowship(["run", "--isolation", "process"], root);
    assert.equal(run.code, 0, run.out);
    assert.match(run.out, /start host: \(none\)\n/);
  });
});
