// The default isolation: each attempt a fresh evaluation of the flow in a task host's worker thread,
// in a host process that runs one attempt at a time. A host taken down by its attempt (self-SIGKILL,
// process.abort()) takes only that attempt: it is recorded as died with the reason and retried while
// the run goes on; hosts and their threads are reused, a thread only while attempts leave it as they
// found it; what a thread cannot do is refused naming --isolation process.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Task } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowSource } from "../helpers/datastore.js";
import { scanDatastore } from "../helpers/scan-datastore.js";

const FLOW = path.join(REPO, "test/fixtures/flows/host_crashes.ts");

describe("task hosts", () => {
  test("a host killed by its own attempt takes that attempt only; it is retried and the run goes on", async () => {
    // given
    const root = path.join(tempDir(), ".flowship");
    // when: the default isolation
    const result = await runCli([FLOW, "run"], { env: flowshipEnv(root), killAfterMs: 60_000 });
    // then
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    const options = { datastore: root, namespace: null };
    const work = (item: number) => Task.get(`HostCrashes/${runId}/work/${item}`, options);
    const failures = async (item: number) => (await work(item)).attempts().map((a) => a.failure ?? a.status);
    assert.deepEqual(await failures(0), [
      {
        type: "TaskDied",
        message: "the task host was killed by SIGKILL (out of memory, or killed from outside)",
        retryable: true,
      },
      "succeeded",
    ]);
    assert.deepEqual(await failures(1), [
      { type: "TaskDied", message: "the task host was killed by SIGABRT", retryable: true },
      "succeeded",
    ]);
    // The items running beside them in other hosts were not touched.
    assert.deepEqual(await failures(2), ["succeeded"]);
    assert.deepEqual(await failures(3), ["succeeded"]);
    const results = (await (await Task.get(`HostCrashes/${runId}/join/0`, options)).load("results")) as {
      item: number;
      attempt: number;
      host: number;
    }[];
    assert.deepEqual(
      results.map((r) => [r.item, r.attempt]),
      [
        [0, 1],
        [1, 1],
        [2, 0],
        [3, 0],
      ],
    );
    assert.notEqual(results[2]!.host, process.pid, "tasks run in a host, not the runtime");
    assert.equal(
      await (await Task.get(`HostCrashes/${runId}/chdir/0`, options)).load("chdir"),
      "process.chdir() cannot run in a task thread (threads share one working folder): pass full paths instead, or run with --isolation process.",
    );
    assert.equal(
      await (await Task.get(`HostCrashes/${runId}/chdir/0`, options)).stderr(),
      'warning: process.on("SIGTERM") has no effect in a task thread, which receives no signals (a timeout or a stopped run ends it at once); run with --isolation process for steps that handle signals.\n',
    );
    assert.deepEqual(scanDatastore(root).problems, []);
  });

  test("hosts are reused: 20 tasks at --max-workers 2 run in at most 2 host processes", async () => {
    const dir = tempDir();
    const file = path.join(dir, "pids.ts");
    fs.writeFileSync(
      file,
      flowSource(`export default flow("Pids")
  .step("start", (self) => { self.items = Array.from({ length: 20 }, (_, i) => i); }, { foreach: "items", next: "each" })
  .step("each", (self) => { self.pid = process.pid; }, { next: "join" })
  .step("join", (self, inputs) => { self.pids = inputs.map((i) => i.pid); }, { join: true, next: "end" })
  .step("end", () => {});`),
    );
    const root = path.join(dir, ".flowship");
    const pidsOf = async (isolation: string) => {
      const result = await runCli([file, "run", "--max-workers", "2", "--isolation", isolation], {
        env: flowshipEnv(root),
        killAfterMs: 60_000,
      });
      assert.equal(result.code, 0, result.stderr);
      const join = await Task.get(`Pids/${runIdFrom(result.stderr)}/join/0`, {
        datastore: root,
        namespace: null,
      });
      return new Set((await join.load("pids")) as number[]);
    };
    const hosts = await pidsOf("host");
    assert.ok(hosts.size >= 1 && hosts.size <= 2, `${hosts.size} host processes`);
    assert.equal((await pidsOf("process")).size, 20, "a process per task, for comparison");
  });

  test("a thread is reused by tidy attempts, each with fresh module state; one left a timer, a global or an env change in is replaced", async () => {
    // given: one host, so the items run one after the other in it; item 2 leaves an unref'd
    // timer, item 4 a global, item 6 a variable in process.env
    const dir = tempDir();
    const file = path.join(dir, "warm.ts");
    fs.writeFileSync(
      file,
      flowSource(`import { threadId } from "node:worker_threads";
let served = 0;
export default flow("Warm")
  .step("start", (self) => { self.items = Array.from({ length: 8 }, (_, i) => i); }, { foreach: "items", next: "each" })
  .step("each", (self) => {
    served++;
    const g = globalThis as { warmMark?: number };
    self.seen = { item: self.input, thread: threadId, served, global: g.warmMark ?? null, env: process.env.WARM_MARK ?? null };
    if (self.input === 2) setInterval(() => console.log("late"), 1).unref();
    if (self.input === 4) g.warmMark = 4;
    if (self.input === 6) process.env.WARM_MARK = "6";
  }, { next: "join" })
  .step("join", (self, inputs) => { self.seen = inputs.map((i) => i.seen); }, { join: true, next: "end" })
  .step("end", () => {});`),
    );
    const root = path.join(dir, ".flowship");
    // when
    const result = await runCli([file, "run", "--max-workers", "1"], {
      env: flowshipEnv(root),
      killAfterMs: 60_000,
    });
    // then
    assert.equal(result.code, 0, result.stderr);
    const join = await Task.get(`Warm/${runIdFrom(result.stderr)}/join/0`, {
      datastore: root,
      namespace: null,
    });
    const seen = (await join.load("seen")) as { thread: number; served: number; global: null; env: null }[];
    for (const each of seen) assert.deepEqual([each.served, each.global, each.env], [1, null, null]);
    const thread = seen.map((each) => each.thread);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7].map((i) => thread[i] === thread[i - 1]),
      [true, true, false, true, false, true, false],
      `threads: ${thread.join(", ")}`,
    );
  });

  test("a built-in module, a prototype no global names or a method of process.stdout changed by an attempt is not seen by the next in its host", async () => {
    // given: one host, items one after the other; items 1–6 each change one thing a fresh
    // evaluation of the flow does not undo; item 6 also loads node:http, which no thread had
    // loaded yet, and item 7 loads it again in the thread after (which had it loaded at once)
    const dir = tempDir();
    const file = path.join(dir, "hidden.ts");
    fs.writeFileSync(
      file,
      flowSource(`import fs from "node:fs";
import util from "node:util";
import { threadId } from "node:worker_threads";
const iterator = Object.getPrototypeOf([][Symbol.iterator]());
const generator = Object.getPrototypeOf(function* () { yield; }).prototype;
export default flow("Hidden")
  .step("start", (self) => { self.items = Array.from({ length: 9 }, (_, i) => i); }, { foreach: "items", next: "each" })
  .step("each", async (self) => {
    const http = self.input === 6 || self.input === 7 ? await import("node:http") : undefined;
    self.seen = {
      thread: threadId,
      marks: [fs.mark, process.stdout.write.mark, iterator.mark, generator.mark, util.inspect.defaultOptions.depth, http?.globalAgent.mark],
    };
    if (self.input === 1) fs.mark = 1;
    if (self.input === 2) { const write = process.stdout.write; process.stdout.write = Object.assign((...args) => write.apply(process.stdout, args), { mark: 2 }); }
    if (self.input === 3) iterator.mark = 3;
    if (self.input === 4) generator.mark = 4;
    if (self.input === 5) util.inspect.defaultOptions.depth = 0;
    if (self.input === 6) http.globalAgent.mark = 6;
  }, { next: "join" })
  .step("join", (self, inputs) => { self.seen = inputs.map((i) => i.seen); }, { join: true, next: "end" })
  .step("end", () => {});`),
    );
    const root = path.join(dir, ".flowship");
    // when
    const result = await runCli([file, "run", "--max-workers", "1"], {
      env: flowshipEnv(root),
      killAfterMs: 60_000,
    });
    // then: no item saw another's change; a thread was replaced after each change, and after
    // the attempt that loaded node:http first
    assert.equal(result.code, 0, result.stderr);
    const join = await Task.get(`Hidden/${runIdFrom(result.stderr)}/join/0`, {
      datastore: root,
      namespace: null,
    });
    const seen = (await join.load("seen")) as { thread: number; marks: unknown[] }[];
    for (const each of seen)
      assert.deepEqual(each.marks, [undefined, undefined, undefined, undefined, 2, undefined]);
    const thread = seen.map((each) => each.thread);
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((i) => thread[i] === thread[i - 1]),
      [true, false, false, false, false, false, false, true],
      `threads: ${thread.join(", ")}`,
    );
  });

  test("an attempt that ended process.stdout or closed a descriptor of its host does not take the next attempt's output with it", async () => {
    // given: one host; item 1 ends its stdout stream, item 2 closes the host's descriptor 2
    const dir = tempDir();
    const file = path.join(dir, "closing.ts");
    fs.writeFileSync(
      file,
      flowSource(`import fs from "node:fs";
export default flow("Closing")
  .step("start", (self) => { self.items = [0, 1, 2, 3]; }, { foreach: "items", next: "each" })
  .step("each", (self) => {
    console.log("out " + self.input);
    fs.writeSync(2, "fd2 " + self.input + "\\n");
    if (self.input === 1) { process.stdout.end(); console.log("after the end"); }
    if (self.input === 2) fs.closeSync(2);
  }, { next: "join" })
  .step("join", () => {}, { join: true, next: "end" })
  .step("end", () => {});`),
    );
    const root = path.join(dir, ".flowship");
    // when
    const result = await runCli([file, "run", "--max-workers", "1"], {
      env: flowshipEnv(root),
      killAfterMs: 60_000,
    });
    // then: every later item wrote where it always does
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    for (const item of [2, 3]) {
      const task = await Task.get(`Closing/${runId}/each/${item}`, { datastore: root, namespace: null });
      assert.match(await task.stdout(), new RegExp(`^out ${item}$`, "m"));
      assert.match(await task.stderr(), new RegExp(`^fd2 ${item}$`, "m"));
    }
  });

  test("descriptors attempts leave open do not pile up in their host: it is replaced before the next attempt could run out", {
    skip: process.platform !== "linux" && "counts descriptors in /proc",
  }, async () => {
    // given: one host; each of 10 items opens 30 descriptors and never closes them
    const dir = tempDir();
    const file = path.join(dir, "leaky.ts");
    fs.writeFileSync(
      file,
      flowSource(`import fs from "node:fs";
export default flow("Leaky")
  .step("start", (self) => { self.items = Array.from({ length: 10 }, (_, i) => i); }, { foreach: "items", next: "each" })
  .step("each", (self) => {
    for (let i = 0; i < 30; i++) fs.openSync("/dev/null", "r");
    self.open = fs.readdirSync("/proc/self/fd").length;
  }, { next: "join" })
  .step("join", (self, inputs) => { self.open = inputs.map((i) => i.open); }, { join: true, next: "end" })
  .step("end", () => {});`),
    );
    const root = path.join(dir, ".flowship");
    // when
    const result = await runCli([file, "run", "--max-workers", "1"], {
      env: flowshipEnv(root),
      killAfterMs: 60_000,
    });
    // then: no attempt found more than its own 30 and a host's allowance (64) open; in one
    // host throughout, the tenth would have found 300 of its predecessors'
    assert.equal(result.code, 0, result.stderr);
    const join = await Task.get(`Leaky/${runIdFrom(result.stderr)}/join/0`, {
      datastore: root,
      namespace: null,
    });
    const open = (await join.load("open")) as number[];
    const first = open[0]!;
    assert.ok(
      open.every((count) => count <= first + 64 + 30),
      `descriptors open: ${open.join(", ")}`,
    );
  });
});
