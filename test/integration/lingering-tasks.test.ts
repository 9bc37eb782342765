// A task ends when its step has returned and its end record is written: neither a grandchild
// holding the task's stdout, nor a timer left running, keeps the run waiting; and the end record,
// not an exit code changed afterwards, says how the task went (issue 16, items 2 and 9).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Task } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";

const FLOW = path.join(REPO, "test/fixtures/flows/lingering.ts");
const SECRET = "canary-4f1e9b2c";

/** Running, not dead and not a zombie waiting for a PID 1 that does not reap (as in containers). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
}

describe("tasks that leave something behind", () => {
  for (const isolation of ["process", "thread", "host"] as const) {
    test(`a grandchild holding the task's stdout neither hangs the run nor outlives it (${isolation})`, async () => {
      // given
      const dir = tempDir();
      const pidFile = path.join(dir, "grandchild.pid");
      const root = path.join(dir, ".flowship");
      const env = flowshipEnv(root, {
        LINGER: "child",
        LINGER_PID: pidFile,
        LINGER_SECRET: SECRET,
        FLOWSHIP_SECRET_ENV: "LINGER_SECRET",
      });
      // when: the grandchild sleeps for a minute; the run must not wait for it
      const started = Date.now();
      const result = await runCli([FLOW, "run", "--isolation", isolation], { env, killAfterMs: 45_000 });
      // then
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Date.now() - started < 40_000, `the run took ${Date.now() - started} ms`);
      // What the grandchild printed went through the task's output, prefixed (and masked, logged).
      assert.match(result.stdout + result.stderr, /\[[^\]]+\/start\/0\] grandchild up/);
      // So did what spawnSync and execSync printed with inherited output, in a thread too.
      assert.match(result.stdout, /\[[^\]]+\/start\/0\] sync stdout says \*\*\*\n/);
      assert.match(result.stdout, /\[[^\]]+\/start\/0\] stream stdout says \*\*\*\n/);
      assert.match(result.stderr, /\[[^\]]+\/start\/0\] sync stderr says \*\*\*\n/);
      assert.doesNotMatch(result.stdout + result.stderr, new RegExp(SECRET));
      const task = await Task.get(`LingeringFlow/${runIdFrom(result.stderr)}/start/0`, {
        datastore: root,
        namespace: null,
      });
      assert.match(await task.stdout(), /^sync stdout says \*\*\*$/m);
      assert.match(await task.stderr(), /^sync stderr says \*\*\*$/m);
      const pid = Number(fs.readFileSync(pidFile, "utf8"));
      // A task is a container: what it started dies with it (a host kills what is left in its
      // process group when the attempt ends); a thread's, at the latest with the run.
      const outlived = alive(pid);
      if (outlived) process.kill(pid, "SIGKILL");
      assert.equal(outlived, false, "the grandchild outlived its task");
    });
  }

  test("a timer left running does not keep the task from ending", async () => {
    const dir = tempDir();
    const env = flowshipEnv(path.join(dir, ".flowship"), { LINGER: "timer" });
    // A hung run would be killed by the safety net, and not exit 0.
    const result = await runCli([FLOW, "run"], { env, killAfterMs: 45_000 });
    assert.equal(result.code, 0, result.stderr);
  });

  test("a timer a flow file starts at import keeps neither run nor simulate from ending", async () => {
    const dir = tempDir();
    const env = flowshipEnv(path.join(dir, ".flowship"));
    const file = path.join(REPO, "test/fixtures/flows/module_timer.ts");
    for (const command of [["run"], ["step-functions", "simulate"]]) {
      // A hung command would be killed by the safety net, and not exit 0.
      const result = await runCli([file, ...command], { env, killAfterMs: 60_000 });
      assert.equal(result.code, 0, `${command.join(" ")}: ${result.stderr}`);
    }
  });

  test("an exit code changed after the end record does not contradict it", async () => {
    // given: the step succeeds, then an exit listener makes the process exit with 3
    const dir = tempDir();
    const env = flowshipEnv(path.join(dir, ".flowship"), { LINGER: "exit-code" });
    // when
    const result = await runCli([FLOW, "run"], { env, killAfterMs: 45_000 });
    // then: the run follows the task's own record, and says what happened
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /start\/0\] exited with code 3 after recording its success; the recorded result stands/,
    );
    const dump = await runCli([FLOW, "dump", `${runIdFrom(result.stderr)}/start`], { env });
    assert.equal(dump.code, 0, dump.stderr);
    assert.match(dump.stdout, /exit-code/);
  });
});
