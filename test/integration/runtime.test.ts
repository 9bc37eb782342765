// The local runtime: retries (spaced as configured), timeouts, catchError, --with, max-workers,
// failures, Ctrl-C, and the two ways to start a flow.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Task } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, runNode, tempDir } from "../helpers/cli.js";
import { flowStore, taskArtifacts, writeFlowFile } from "../helpers/datastore.js";

const dir = tempDir();
const root = path.join(dir, ".flowship");
const env = flowshipEnv(root);

function writeFlow(name: string, body: string): string {
  return writeFlowFile(dir, name, body);
}

describe("retry", () => {
  test("waits minutesBetweenRetries between attempts and records every attempt", async () => {
    // given: a step that always fails, retried twice 0.01 min (0.6 s) apart
    const file = writeFlow(
      "retry_spacing",
      `export default flow("RetrySpacing")
        .step("start", () => { throw new Error("boom"); }, { next: "end", decorators: [retry({ times: 2, minutesBetweenRetries: 0.01 })] })
        .step("end", () => {});`,
    );
    // when
    const result = await runCli([file, "run"], { env });
    // then
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error: Run RetrySpacing\/\d+ failed: start\/0: Error: boom/);
    const attempts = await flowStore(root, "RetrySpacing").readAttempts(
      runIdFrom(result.stderr),
      "start",
      "0",
    );
    assert.equal(attempts?.latest, 2);
    const starts = [0, 1, 2].map((n) => Date.parse(attempts!.starts.get(n)!.startedAt));
    const ends = [0, 1, 2].map((n) => Date.parse(attempts!.ends.get(n)!.endedAt));
    assert.ok(
      starts[1]! - ends[0]! >= 550,
      `second attempt began ${starts[1]! - ends[0]!} ms after the first ended`,
    );
    assert.ok(
      starts[2]! - ends[1]! >= 550,
      `third attempt began ${starts[2]! - ends[1]!} ms after the second ended`,
    );
    for (const n of [0, 1, 2]) assert.equal(attempts!.ends.get(n)!.failure?.message, "boom");
  });

  test("--with retry adds retries to steps without their own; retry({ times: 0 }) stays unretried", async () => {
    const file = writeFlow(
      "with_retry",
      `export default flow("WithRetry")
        .step("start", () => { if (current.retryCount === 0) throw new Error("first try fails"); }, { next: "once" })
        .step("once", () => { throw new Error("never retried"); }, { next: "end", decorators: [retry({ times: 0 })] })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run", "--with", "retry:times=2"], { env });
    assert.equal(result.code, 1);
    const store = flowStore(root, "WithRetry");
    const runId = runIdFrom(result.stderr);
    assert.equal((await store.readAttempts(runId, "start", "0"))?.latest, 1);
    assert.equal((await store.readAttempts(runId, "once", "0"))?.latest, 0);
  });

  test("a NonRetryableError fails at once despite retries", async () => {
    const file = writeFlow(
      "non_retryable",
      `import { NonRetryableError } from "flowship";
       export default flow("NonRetryable")
        .step("start", () => { throw new NonRetryableError("bad input data"); }, { next: "end", decorators: [retry({ times: 3 })] })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1);
    const attempts = await flowStore(root, "NonRetryable").readAttempts(
      runIdFrom(result.stderr),
      "start",
      "0",
    );
    assert.equal(attempts?.latest, 0);
  });

  test("a task process killed without writing anything is retried and recorded with the reason", async () => {
    const file = writeFlow(
      "killed_task",
      `export default flow("KilledTask")
        .step("start", () => { if (current.retryCount === 0) process.kill(process.pid, "SIGKILL"); }, { next: "end", decorators: [retry({ times: 1 })] })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const attempts = await flowStore(root, "KilledTask").readAttempts(runIdFrom(result.stderr), "start", "0");
    assert.equal(attempts?.ends.get(0)?.status, "failed");
    assert.match(attempts?.ends.get(0)?.failure?.message ?? "", /killed by SIGKILL/);
    assert.equal(attempts?.ends.get(1)?.status, "succeeded");
  });
});

describe("a failed run's last line", () => {
  test("is one line when the error's message has several: its first, then …", async () => {
    // given: a step whose error message goes on over a second line
    const file = writeFlow(
      "multi_line_error",
      `export default flow("MultiLineError")
        .step("start", () => { throw new TypeError("bad city c7\\nsecond line"); }, { next: "end" })
        .step("end", () => {});`,
    );
    // when
    const result = await runCli([file, "run"], { env });
    // then: the task's output above has the whole message; the last line only its first line
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\/start\/0\] second line\n/);
    const last = result.stderr.trimEnd().split("\n").at(-1);
    assert.match(last!, /^error: Run MultiLineError\/\d+ failed: start\/0: TypeError: bad city c7 …$/);
  });
});

describe("timeout and catchError", () => {
  test("a timeout longer than Node's timers take (30 days) waits: it does not fire at once", async () => {
    // given: a 30-day timeout (over 2^31 ms, which Node fires after 1 ms) on a step that takes 300 ms
    const file = writeFlow(
      "month_timeout",
      `export default flow("MonthTimeout")
        .step("start", async () => { await new Promise((r) => setTimeout(r, 300)); }, { next: "end", decorators: [timeout({ hours: 720 }), retry({ times: 1, minutesBetweenRetries: 43_200 })] })
        .step("end", () => {});`,
    );
    // when
    const result = await runCli([file, "run"], { env, killAfterMs: 50_000 });
    // then
    assert.equal(result.code, 0, result.stderr);
    assert.doesNotMatch(result.stderr, /TimeoutOverflowWarning|timed out/);
  });

  test("timeout kills an attempt that runs too long and counts it as a failure", async () => {
    const file = writeFlow(
      "slow",
      `export default flow("Slow")
        .step("start", async () => { await new Promise((r) => setTimeout(r, 60_000)); }, { next: "end", decorators: [timeout({ seconds: 1 })] })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env, killAfterMs: 50_000 });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /start\/0: Timeout: timed out after 1 s and was killed/);
  });

  test("catchError records a timed-out step's failure as a Timeout, with the artifacts it assigned before", async () => {
    // given: a step that awaits past its timeout, and one whose synchronous loop never yields
    const file = writeFlow(
      "caught_timeout",
      `export default flow("CaughtTimeout")
        .step("start", async (self) => { self.before = 1; await new Promise((r) => setTimeout(r, 60_000)); }, { next: "blocked", decorators: [timeout({ seconds: 1 }), catchError({ var: "failure" })] })
        .step("blocked", (self) => { self.lost = 1; while (true) {} }, { next: "end", decorators: [timeout({ seconds: 0.2 }), catchError({ var: "stuck" })] })
        .step("end", (self) => { console.log("failure was: " + self.failure.type + ": " + self.failure.message + ", before: " + self.before + ", stuck: " + self.stuck.type); });`,
    );
    // when
    const result = await runCli([file, "run"], { env, killAfterMs: 50_000 });
    // then: the first is stopped by its task, which keeps what it assigned; the second is killed
    // a little later and a fallback attempt records its Timeout (its artifacts are lost)
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /failure was: Timeout: timed out after 1 s and was killed, before: 1, stuck: Timeout/,
    );
    assert.match(result.stderr, /\(1 tasks succeeded, 2 failures caught\)\n/);
    assert.doesNotMatch(result.stderr, /retried/, "no attempt was retried: the flow has no retry");
    const runId = runIdFrom(result.stderr);
    const start = await Task.get(`CaughtTimeout/${runId}/start/0`, { datastore: root, namespace: null });
    assert.deepEqual(
      [start.attempt, start.exception?.type, start.finished, start.successful],
      [0, "Timeout", true, false],
    );
    const blocked = await Task.get(`CaughtTimeout/${runId}/blocked/0`, { datastore: root, namespace: null });
    assert.equal(blocked.exception?.type, "Timeout");
    const dump = await runCli([file, "dump", `${runId}/start`], { env });
    assert.match(
      dump.stdout,
      new RegExp(`^CaughtTimeout/${runId}/start/0 \\(attempt 0, caught Timeout\\)\n  before \\[number`),
    );
  });

  test("an artifact that cannot be stored fails the task, naming the artifact and the step", async () => {
    const file = writeFlow(
      "unstorable",
      `class Model { predict() { return 1; } }
       export default flow("Unstorable")
        .step("start", (self) => { self.model = new Model(); }, { next: "end" })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /Cannot store artifact 'model' of step 'start': model is an instance of class Model; store plain data/,
    );
  });
});

describe("foreach at run time", () => {
  for (const [label, value, message] of [
    ["missing", "undefined", "Foreach of step 'start' needs the artifact 'xs', but it was never set"],
    [
      "not iterable",
      "42",
      "Foreach of step 'start' needs 'xs' to be an array or other iterable, but it is number",
    ],
    ["empty", "[]", "Foreach of step 'start' over 'xs' has no items; a foreach needs at least one"],
  ] as const) {
    test(`a foreach over a ${label} artifact fails with a clear message`, async () => {
      const file = writeFlow(
        `foreach_${label.replace(" ", "_")}`,
        `export default flow("BadForeach")
          .step("start", (self) => { self.xs = ${value}; }, { foreach: "xs", next: "body" })
          .step("body", () => {}, { next: "join" })
          .step("join", () => {}, { join: true, next: "end" })
          .step("end", () => {});`,
      );
      const result = await runCli([file, "run"], { env });
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes(message), result.stderr);
    });
  }

  test("a foreach over a Set and a Map works like over an array", async () => {
    const file = writeFlow(
      "foreach_set",
      `export default flow("ForeachSet")
        .step("start", (self) => { self.xs = new Set(["a", "b"]); }, { foreach: "xs", next: "body" })
        .step("body", (self) => { self.item = self.input + self.index; }, { next: "join" })
        .step("join", (self, inputs) => { self.items = inputs.map((i) => i.item); }, { join: true, next: "end" })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const end = await taskArtifacts(root, "ForeachSet", runIdFrom(result.stderr), "end");
    assert.deepEqual(end.items, ["a0", "b1"]);
  });
});

describe("what a step sees", () => {
  test("current describes the running task, and environment() sets the step's variables", async () => {
    const file = writeFlow(
      "current_env",
      `export default flow("CurrentEnv")
        .step("start", (self) => {
          self.seen = [current.flowName, current.runId, current.stepName, current.taskId, current.retryCount,
            current.namespace, current.username, current.isProduction, current.pathspec, current.isRunningFlow,
            process.env.MODEL_KIND];
        }, { next: "end", decorators: [environment({ vars: { MODEL_KIND: "tree" } })] })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run", "--tag", "nightly"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const start = await taskArtifacts(root, "CurrentEnv", runId, "start");
    assert.deepEqual(start.seen, [
      "CurrentEnv",
      runId,
      "start",
      "0",
      0,
      "user:tester",
      "tester",
      false,
      `CurrentEnv/${runId}/start/0`,
      true,
      "tree",
    ]);
  });
});

describe("large artifacts", () => {
  test("a 64 MiB array goes from step to step through task processes, named by its XXH3-128", async () => {
    // given: 64 MiB is where blob names switch from SHA-256 to XXH3-128 (datastore/content-hash.ts)
    const file = writeFlow(
      "large_artifact",
      `export default flow("LargeArtifact")
        .step("start", (self) => { self.weights = new Float64Array(8 * 2 ** 20).map((_, i) => i % 7); }, { next: "end" })
        .step("end", (self) => { self.sum = self.weights.reduce((a, b) => a + b, 0); self.small = 1; });`,
    );
    // when
    const result = await runCli([file, "run"], { env });
    // then
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const end = await flowStore(root, "LargeArtifact").readSuccessfulEnd(runId, "end", "0");
    assert.match(end!.artifacts.weights!.hash, /^[0-9a-f]{32}$/);
    assert.match(end!.artifacts.small!.hash, /^[0-9a-f]{64}$/);
    let expected = 0;
    for (let i = 0; i < 8 * 2 ** 20; i++) expected += i % 7;
    assert.equal((await taskArtifacts(root, "LargeArtifact", runId, "end")).sum, expected);
  });
});

describe("wide fan-outs", () => {
  test("a join of 600 tasks gets all its inputs in foreach order (too many to pass in its environment)", async () => {
    const file = writeFlow(
      "wide_join",
      `export default flow("WideJoin")
        .step("start", (self) => { self.items = Array.from({ length: 600 }, (_, i) => i); }, { foreach: "items", next: "body" })
        .step("body", (self) => { self.v = self.input * 2; }, { next: "join" })
        .step("join", (self, inputs) => { self.values = inputs.map((i) => i.v); }, { join: true, next: "end" })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const end = await taskArtifacts(root, "WideJoin", runId, "end");
    assert.deepEqual(
      end.values,
      Array.from({ length: 600 }, (_, i) => i * 2),
    );
    const join = await flowStore(root, "WideJoin").readAttempts(runId, "join", "0");
    assert.equal(join?.starts.get(0)?.inputs.length, 600);
  });
});

describe("parallelism", () => {
  test("--max-workers bounds the tasks running at once", async () => {
    const file = writeFlow(
      "workers",
      `export default flow("Workers")
        .step("start", (self) => { self.xs = Array.from({ length: 8 }, (_, i) => i); }, { foreach: "xs", next: "body" })
        .step("body", async () => { await new Promise((r) => setTimeout(r, 200)); }, { next: "join" })
        .step("join", () => {}, { join: true, next: "end" })
        .step("end", () => {});`,
    );
    const result = await runCli([file, "run", "--max-workers", "3"], { env });
    assert.equal(result.code, 0, result.stderr);
    const store = flowStore(root, "Workers");
    const runId = runIdFrom(result.stderr);
    const spans = await Promise.all(
      (await store.listTasks(runId, "body")).map(async (t) => {
        const a = await store.readAttempts(runId, "body", t);
        return [Date.parse(a!.starts.get(0)!.startedAt), Date.parse(a!.ends.get(0)!.endedAt)] as const;
      }),
    );
    const most = Math.max(...spans.map(([s]) => spans.filter(([s2, e2]) => s2 <= s && s < e2).length));
    assert.ok(most <= 3, `${most} tasks overlapped`);
    assert.equal(spans.length, 8);
  });
});

describe("starting a flow", () => {
  test("the flow file is its own CLI under tsx", async () => {
    const result = await runNode(
      ["--import", "tsx", "examples/parameter_flow.ts", "run", "--alpha", "0.25"],
      { env },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /alpha is 0\.25/);
  });

  test("importing a flow file starts nothing", async () => {
    const script = `import flow from "./examples/parameter_flow.ts"; await new Promise((r) => setTimeout(r, 300)); console.log(flow.name, flow.steps.length);`;
    const result = await runNode(["--import", "tsx", "--input-type=module", "-e", script], {
      env: flowshipEnv(path.join(dir, "import-root")),
      cwd: REPO,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "ParameterFlow 2\n");
    assert.equal(fs.existsSync(path.join(dir, "import-root", "ParameterFlow")), false);
  });

  test("Ctrl-C stops every task and marks the run failed", async () => {
    const file = writeFlow(
      "interrupt",
      `export default flow("Interrupt")
        .step("start", async () => { console.log("started"); await new Promise((r) => setTimeout(r, 60_000)); }, { next: "end" })
        .step("end", () => {});`,
    );
    const child = spawn(process.execPath, [path.join(REPO, "bin/flowship.js"), file, "run"], {
      env,
      cwd: dir,
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        if (String(d).includes("started")) resolve();
      });
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    assert.equal(code, 130);
    const runId = runIdFrom(stderr);
    const store = flowStore(root, "Interrupt");
    assert.equal((await store.readRunEnd(runId))?.status, "failed");
    assert.equal((await store.readRunEnd(runId))?.reason, "interrupted by SIGINT");
    const attempt = await store.readAttempts(runId, "start", "0");
    assert.equal(attempt?.ends.get(0)?.status, "failed", "the running task was stopped and recorded");
  });
});
