// The programmatic Runner (flowship/api, imported through the package's exports map, so from
// dist/) against real local runs of test/fixtures/flows/api_flow.ts: run() with typed values and
// `env`, runAsync()'s log lines, status, wait() and AbortSignal, a failed run as FS_RUN_FAILED,
// resume({ origin, step }), and the FS_* errors of bad input before any run is recorded. The
// parameter and artifact types are checked by test/types/api-types.ts.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { before, test } from "node:test";
import { type FlowSpec, flow } from "flowship";
import { type ExecutingRun, type LogLine, RunFailedError, Runner } from "flowship/api";
import { Flow } from "flowship/client";
import apiFlow from "../fixtures/flows/api_flow.js";
import { tempDir } from "../helpers/cli.js";

const dir = tempDir("flowship-api-runner-");
const datastoreRoot = path.join(dir, ".flowship");
const FLOW_FILE = "test/fixtures/flows/api_flow.ts";

async function runIds(): Promise<string[]> {
  const flow = await Flow.get("ApiFlow", { datastore: datastoreRoot, namespace: null }).catch(
    () => undefined,
  );
  return flow ? (await flow.runs()).map((r) => r.id) : [];
}

/** The code a call rejects with ("resolved" when it does not). */
const code = (promise: Promise<unknown>) =>
  promise.then(
    () => "resolved",
    (e: { code?: string }) => e.code,
  );

/** What a call rejects with. */
const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => assert.fail("resolved"),
    (e: unknown) => e as Error & { code?: string },
  );

async function collect(executing: ExecutingRun): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  for await (const line of executing.logs()) lines.push(line);
  return lines;
}

before(() => {
  // The Runner runs in this process: its user and isolation come from this environment.
  process.env.FLOWSHIP_USER = "tester";
  delete process.env.FLOWSHIP_ISOLATION;
  delete process.env.FLOWSHIP_DATASTORE;
});

test("run() returns the finished run as a Client Run, with the given values, defaults and env in its tasks", async () => {
  // given
  const runner = new Runner(apiFlow, { datastoreRoot, env: { API_FLOW_SUFFIX: "from-env" }, tags: ["api"] });
  // when
  const run = await runner.run({ greeting: "world", alpha: 2 });
  // then
  assert.equal(run.successful, true);
  assert.equal(run.flow, "ApiFlow");
  assert.equal(await run.data?.score, 4);
  assert.equal(await run.data?.suffix, "from-env");
  // and: a string holding a source map comment's text, left as it is in the compiled flow
  assert.equal(await run.data?.banner, "//# sourceMappingURL=x");
  assert.deepEqual(await run.parameters(), {
    greeting: "world",
    alpha: 2,
    pause: 0,
    gate: "",
    labels: ["api"],
    notes: undefined,
  });
  assert.deepEqual(run.userTags, ["api"]);
  assert.equal(run.namespace, "user:tester");
});

test("runAsync(): log lines from the first one, status, an AbortSignal that stops the run, the caller's signals left alone", async () => {
  // given: a run that waits 60 s in its start step
  const controller = new AbortController();
  const signals = () => process.listenerCount("SIGINT") + process.listenerCount("SIGTERM");
  const ownSignals = signals();
  const executing = await new Runner(apiFlow, { datastoreRoot }).runAsync(
    { greeting: "async", pause: 60 },
    { signal: controller.signal },
  );
  assert.equal(executing.status, "running");
  assert.equal(executing.pathspec, `ApiFlow/${executing.runId}`);
  // when: aborted once the step says it waits
  const seen: LogLine[] = [];
  let signalsWhileRunning: number | undefined;
  for await (const line of executing.logs()) {
    seen.push(line);
    if (!line.text.endsWith("pausing")) continue;
    signalsWhileRunning = signals();
    // and: resuming it while it runs in this process is refused, with a way out that is not killing this process
    const still = await rejection(new Runner(apiFlow, { datastoreRoot }).resume({ origin: executing.runId }));
    assert.equal(still.code, "FS_RESUME_STILL_RUNNING");
    assert.match(still.message, /still running in this process\. .*cancel\(\)/);
    controller.abort(new Error("seen enough"));
  }
  const error = await executing.wait().then(
    () => assert.fail("a cancelled run resolved"),
    (e: unknown) => e,
  );
  // then: the run ended cancelled, long before its step would have, and says why
  assert.ok(error instanceof RunFailedError);
  assert.equal(error.code, "FS_RUN_CANCELLED");
  assert.equal(executing.status, "cancelled");
  assert.equal(error.run?.status, "failed");
  assert.equal(error.run?.cancelled, true);
  assert.match(error.run?.failureReason ?? "", /cancelled by its AbortSignal: seen enough/);
  assert.match(error.message, /\(cancelled by its AbortSignal: seen enough\)\.$/);
  // and: the lines came in order, task output on stdout with its task's prefix
  const prefix = `[${executing.runId}/start/0]`;
  assert.match(seen[0]!.text, new RegExp(`^Running ApiFlow/${executing.runId} `));
  assert.deepEqual(
    seen.filter((l) => l.stream === "stdout").map((l) => l.text),
    [`${prefix} hello async`, `${prefix} pausing`],
  );
  // and: the summary says cancelled, not failed
  assert.ok(
    seen.some((l) => l.text.startsWith(`Cancelled: run ApiFlow/${executing.runId} cancelled in `)),
    seen.map((l) => l.text).join("\n"),
  );
  // and: the caller kept SIGINT and SIGTERM to itself while the run went on (the CLI's run takes them)
  assert.equal(signalsWhileRunning, ownSignals);
  // and: a reader who starts after the end gets every line again
  assert.deepEqual(await collect(executing), seen);
});

test("a failed run rejects with FS_RUN_FAILED carrying the run; resumeAsync({ origin, step }) and resume() reuse what succeeded", async () => {
  // given: a run whose check step fails while its gate file is missing (the flow given as a path)
  const gate = path.join(dir, "gate");
  const runner = new Runner(FLOW_FILE, { datastoreRoot });
  const failure = await runner.run({ greeting: "gated", gate }).then(
    () => assert.fail("the gated run succeeded"),
    (e: unknown) => e,
  );
  assert.ok(failure instanceof RunFailedError);
  assert.equal(failure.code, "FS_RUN_FAILED");
  assert.match(failure.message, /check\/0: Error: gate .* is closed/);
  const failed = failure.run;
  assert.ok(failed);
  assert.equal(failed.successful, false);
  assert.equal(failed.cancelled, false);
  // and: a step the flow does not have (TypeScript refuses it for a flow object) is refused
  assert.equal(
    await code(new Runner(apiFlow, { datastoreRoot }).resume({ origin: failed.id, step: "chek" as never })),
    "FS_RESUME_UNKNOWN_STEP",
  );
  // when: the gate opens and the run is resumed from its check step
  fs.writeFileSync(gate, "");
  const resuming = await runner.resumeAsync({ origin: failed.id, step: "check" });
  const lines = (await collect(resuming)).map((l) => l.text);
  const resumed = await resuming.wait();
  // then: a new run, its start task cloned from the failed one
  assert.equal(resumed.successful, true);
  assert.equal(resumed.originRunId, failed.id);
  const start = (await (await resumed.step("start")).tasks())[0]!;
  assert.equal(start.origin, `ApiFlow/${failed.id}/start/0`);
  assert.ok(
    lines.includes(`[${resumed.id}/start/0] cloned from ApiFlow/${failed.id}/start/0`),
    lines.join("\n"),
  );
  assert.deepEqual(await resumed.parameters(), await failed.parameters());
  // and: resume() without an origin resumes the latest run started with run(), the failed one
  assert.equal((await runner.resume()).originRunId, failed.id);
});

test("bad input fails with the CLI's FS_* codes before any run is recorded", async () => {
  // given
  const runner = new Runner(apiFlow, { datastoreRoot });
  const before = await runIds();
  // when / then: values TypeScript would refuse, checked again at run time
  assert.equal(await code(runner.run({ greeting: "x", alpah: 1 } as never)), "FS_PARAM_VALUE");
  assert.equal(await code(runner.run({ greeting: 42 } as never)), "FS_PARAM_VALUE");
  // and: what JavaScript lets a caller pass is named in the message, a huge value cut short
  for (const [parameters, shown] of [
    ["greeting", /expected an object of values by name, got "greeting"\.$/],
    [{ greeting: 10n }, /expected string, got 10n\.$/],
    [{ greeting: "x", alpha: Number.NaN }, /expected number, got NaN\.$/],
    [{ greeting: "x", alpha: "x".repeat(1e6) }, /expected number, got "x{199}… \(1000002 characters\)\.$/],
  ] as const) {
    const error = await rejection(runner.run(parameters as never));
    assert.equal(error.code, "FS_PARAM_VALUE", error.message);
    assert.match(error.message, shown);
  }
  // and: a missing parameter is named by its key, as the caller gives it (not as a CLI flag)
  const missing = await rejection(runner.run({} as never));
  assert.equal(missing.code, "FS_PARAM_VALUE");
  assert.match(missing.message, /'greeting'/);
  assert.doesNotMatch(missing.message, /--/);
  // and: a flow that cannot be found, a flow object without its file, a bad option
  assert.equal(await code(new Runner("absent_flow.ts", { datastoreRoot }).run()), "FS_FLOW_FILE_MISSING");
  const { location: _, ...withoutFile } = apiFlow;
  assert.equal(await code(new Runner<FlowSpec>(withoutFile).run()), "FS_API_FLOW_FILE_UNKNOWN");
  // and: bad options, each an FS_API_OPTION (or the decorator's own code) naming the option, no CLI flag
  for (const [options, expected] of [
    [{ maxWorkers: 0 }, "FS_API_OPTION"],
    [{ isolation: "container" as never }, "FS_API_OPTION"],
    [{ branch: "feature" }, "FS_API_OPTION"],
    [{ with: ["retry:times"] }, "FS_FLOW_BAD_WITH"],
    [{ with: ["retry:times=1000"] }, "FS_FLOW_BAD_WITH"],
  ] as const) {
    const error = await rejection(new Runner(apiFlow, { datastoreRoot, ...options }).run({ greeting: "x" }));
    assert.equal(error.code, expected, error.message);
    assert.doesNotMatch(error.message, /--/, error.message);
  }
  assert.equal(await code(runner.resume({ origin: "no/such" })), "FS_PATHSPEC_INVALID");
  // and: what a JavaScript caller may pass instead of the types' values, each an FS_* error naming it
  for (const [call, message] of [
    [() => new Runner<FlowSpec>(null as never).run(), /^Expected a flow .* got null\.$/],
    [
      () => new Runner(apiFlow, { datastoreRoot, tags: "api" as never }).run({ greeting: "x" }),
      /option tags .*'api'/,
    ],
    [
      () => new Runner(apiFlow, { datastoreRoot, with: "retry" as never }).run({ greeting: "x" }),
      /option with /,
    ],
    [() => runner.run({ greeting: "x" }, AbortSignal.abort() as never), /as \{ signal \}/],
    [() => runner.run({ greeting: "x" }, { signal: "abort" as never }), /option signal of run\(\)/],
    [() => runner.resume({ origin: 42 as never }), /option origin of resume\(\): '42'/],
  ] as const) {
    const error = await rejection(call());
    assert.match(error.code ?? "", /^FS_API_/, error.message);
    assert.match(error.message, message);
  }
  // and: a flow declared in the program that runs it (this test file), whose top level each task
  // would run again, is refused before anything is compiled
  const inline = flow("InlineFlow")
    .step("start", () => {}, { next: "end" })
    .step("end", () => {});
  const inProgram = await rejection(new Runner(inline, { datastoreRoot }).run());
  assert.equal(inProgram.code, "FS_API_FLOW_IN_PROGRAM");
  assert.match(inProgram.message, /^Flow 'InlineFlow' is declared in '.*api-runner\.test\.ts', the program/);
  // and: a signal aborted before the start stops the run before it is recorded
  assert.equal(
    await code(runner.run({ greeting: "x" }, { signal: AbortSignal.abort() })),
    "FS_RUN_CANCELLED",
  );
  assert.deepEqual(await runIds(), before);
  // and: an empty datastoreRoot is the default root, not the current folder (where the code was compiled)
  const cwd = process.cwd();
  const here = fs.mkdtempSync(path.join(dir, "cwd-"));
  process.env.FLOWSHIP_DATASTORE_ROOT = path.join(dir, "from-env");
  try {
    process.chdir(here);
    const empty = new Runner(apiFlow, { datastoreRoot: "" });
    assert.equal(
      await code(empty.run({ greeting: "x" }, { signal: AbortSignal.abort() })),
      "FS_RUN_CANCELLED",
    );
  } finally {
    process.chdir(cwd);
    delete process.env.FLOWSHIP_DATASTORE_ROOT;
  }
  assert.deepEqual(fs.readdirSync(here), []);
  assert.ok(fs.existsSync(path.join(dir, "from-env", "_code")));
});
