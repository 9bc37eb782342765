// Values and inputs at the edges of what the runtime can take, through the real CLI (issue 16):
// each refused when it comes in, in one line, instead of being stored and failing every reader.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Flow } from "../../src/client/index.js";
import { flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore, writeFlowFile } from "../helpers/datastore.js";

const fixture = (name: string) => path.join(REPO, "test/fixtures/flows", name);

describe("runtime hardening", () => {
  test("a value nested too deep to read back is refused when the step stores it, in one line", async () => {
    const env = (depth: number) => flowshipEnv(path.join(tempDir(), ".flowship"), { DEPTH: String(depth) });
    // 999 levels of objects (plus the leaf) are stored and read back by the next step
    // (and a sparse array, which took minutes to check hole by hole, in a moment)
    const fits = await runCli([fixture("deep_value.ts"), "run"], { env: env(999), killAfterMs: 60_000 });
    assert.equal(fits.code, 0, fits.stderr);
    assert.match(fits.stdout + fits.stderr, /read back 999 levels/);
    assert.match(fits.stdout, /read back a sparse array of length 2147483649 holding 1/);
    // 2,000 levels would have been stored and then been unreadable by every reader
    const deep = await runCli([fixture("deep_value.ts"), "run"], { env: env(2000) });
    assert.equal(deep.code, 1);
    assert.match(
      deep.stderr,
      /Step 'start' failed: Cannot store artifact 'tree' of step 'start': tree\.x\.x\.x\.x\.x\.x….x\.x\.x is nested 1,000 levels deep, more than an artifact may be and still be read back; flatten it \(or store it as a JSON string\)\.\n/,
    );
    assert.doesNotMatch(deep.stderr, /\n\s+at /, "no stack trace");
  });

  test("an artifact larger than a reader can take is refused when stored, in one line; one at the limit is read back", async () => {
    // given: a limit of 2,000 bytes (by default, what one Node buffer holds: 4 GiB on Node 20;
    // blobs up to it are read in pieces, see src/util/read-whole-file.test.ts)
    const root = path.join(tempDir(), ".flowship");
    const file = writeFlowFile(
      path.dirname(root),
      "sized",
      `export default flow("Sized")
        .step("start", (self) => { self.fits = new Uint8Array(2000).fill(7); }, { next: "middle" })
        .step("middle", (self) => { console.log("read back " + self.fits.length); self.big = new Uint8Array(2001); }, { next: "end" })
        .step("end", () => {});`,
    );
    // when
    const result = await runCli([file, "run"], {
      env: flowshipEnv(root, { FLOWSHIP_MAX_ARTIFACT_BYTES: "2000" }),
    });
    // then
    assert.equal(result.code, 1);
    assert.match(result.stdout, /read back 2000\n/);
    assert.match(
      result.stderr,
      /Step 'middle' failed: Cannot store artifact 'big' of step 'middle': it is 2,001 bytes, more than the 2,000 bytes FLOWSHIP_MAX_ARTIFACT_BYTES allows; store it in pieces \(several artifacts\), or write it to S3 yourself and store its URL\.\n/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  });

  test("a parameter cannot be changed in place: the step fails naming the property and the parameter, later steps never see it", async () => {
    const root = path.join(tempDir(), ".flowship");
    // reading and copying a JSON parameter works
    const copy = await runCli([fixture("mutated_parameter.ts"), "run"], { env: flowshipEnv(root) });
    assert.equal(copy.code, 0, copy.stderr);
    assert.match(copy.stdout + copy.stderr, /config\.lr is 0\.1, copy\.lr is 0\.5/);
    // changing it in place is a TypeError in the step that tries
    const mutated = await runCli([fixture("mutated_parameter.ts"), "run"], {
      env: flowshipEnv(root, { MUTATE: "1" }),
    });
    assert.equal(mutated.code, 1);
    assert.match(
      mutated.stderr,
      /Step 'start' failed: TypeError: Cannot assign to read only property 'lr' of object .* \(the step changed parameter 'config'\? .*structuredClone\(self\.config\)\)\n/,
    );
    assert.doesNotMatch(mutated.stdout + mutated.stderr, /config\.lr is 999/);
    // Metaflow lets `self.labels.append(x)` pass (unstored); here V8's message names no parameter, the hint does
    const pushed = await runCli([fixture("mutated_parameter.ts"), "run"], {
      env: flowshipEnv(root, { MUTATE: "push" }),
    });
    assert.equal(pushed.code, 1);
    assert.match(
      pushed.stderr,
      /error: Run .* failed: start\/0: TypeError: Cannot add property 2, object is not extensible \(the step changed parameter 'labels'\? /,
    );
  });

  test("ordinary JavaScript on self, on a join's inputs and in throw gives what JavaScript would", async () => {
    const run = (js: string) =>
      runCli([fixture("ordinary_js.ts"), "run"], {
        env: flowshipEnv(path.join(tempDir(), ".flowship"), { JS: js }),
      });
    // self and an input as strings list their artifacts, not "Invalid artifact hash"
    const described = await run("describe");
    assert.equal(described.code, 0, described.stderr);
    const out = described.stdout + described.stderr;
    assert.match(
      out,
      /self is \[self of step 'start': alpha\]; String gives \[self of step 'start': alpha\]/,
    );
    assert.match(out, /first input is \[inputs from OrdinaryJsFlow\/\d+\/a\/0: alpha, x\]/);
    // Object.prototype's names are not artifacts, nor parameters
    const names = await run("names");
    assert.equal(names.code, 0, names.stderr);
    assert.match(names.stdout + names.stderr, /hasOwnProperty is undefined[\s\S]*valueOf is 5/);
    // a thrown object is described as itself, and as the step's failure, not the task's death
    const object = await run("throw-object");
    assert.equal(object.code, 1);
    assert.match(
      object.stderr,
      /Step 'start' failed: object: a non-Error object was thrown: \{"code":42,"reason":"quota"\}/,
    );
    const bare = await run("throw-bare");
    assert.equal(bare.code, 1);
    assert.match(bare.stderr, /Step 'start' failed: object: a non-Error object was thrown: \{\}/);
    assert.doesNotMatch(bare.stderr, /flowship task error|TaskDied/);
  });

  test("a step's failure of any size is cut in the run's last line and end record; the attempt record keeps it whole", async () => {
    // given: a step that throws a message of 100,000 characters
    const root = path.join(tempDir(), ".flowship");
    const file = writeFlowFile(
      path.dirname(root),
      "long_message",
      `export default flow("LongMessage")
        .step("start", () => { throw new Error("y".repeat(100_000)); }, { next: "end" })
        .step("end", () => {});`,
    );
    // when
    const result = await runCli([file, "run"], { env: flowshipEnv(root) });
    // then
    assert.equal(result.code, 1);
    const last = result.stderr.trimEnd().split("\n").at(-1)!;
    assert.ok(last.length < 2300, `last line of ${last.length} characters`);
    assert.match(
      last,
      /y… \(cut at 2,000 of 100,\d{3} characters; the task's log and its attempt record keep the whole message\)$/,
    );
    const store = flowStore(root, "LongMessage");
    const runId = runIdFrom(result.stderr);
    assert.ok((await store.readRunEnd(runId))!.reason!.length < 2300);
    assert.equal((await store.readAttemptEnd(runId, "start", "0", 0))?.failure?.message.length, 100_000);
  });

  test("a run id file that cannot be written is a one-line error, and the run it would have named reads as failed", {
    skip: !fs.existsSync("/dev/full") && "writes to /dev/full (Linux)",
  }, async () => {
    // given: a run id file on a device that is always full
    const root = path.join(tempDir(), ".flowship");
    // when
    const result = await runCli(["examples/parameter_flow.ts", "run", "--run-id-file", "/dev/full"], {
      env: flowshipEnv(root),
    });
    // then
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      "error: Cannot write the run id to '/dev/full': no space left on the device (ENOSPC).\n",
    );
    const store = flowStore(root, "ParameterFlow");
    const runId = (await store.readLatestRun())!;
    assert.equal((await store.readRunEnd(runId))?.status, "failed");
  });

  test("a run from a host whose clock is an hour ahead does not freeze latestRun()", async () => {
    // given: a run, recorded as the latest with a start an hour in the future (its host's clock)
    const root = path.join(tempDir(), ".flowship");
    const env = flowshipEnv(root);
    const first = await runCli(["examples/parameter_flow.ts", "run"], { env });
    assert.equal(first.code, 0, first.stderr);
    const store = flowStore(root, "ParameterFlow");
    const ahead = new Date(Date.now() + 3_600_000).toISOString();
    for (const kind of ["started", "succeeded"] as const) {
      await store.updateLatest(kind, "user:tester", runIdFrom(first.stderr), ahead);
    }
    // when: a run from this host's (right) clock
    const second = await runCli(["examples/parameter_flow.ts", "run"], { env });
    assert.equal(second.code, 0, second.stderr);
    // then: it is the latest, as resume also says
    const flow = await Flow.get("ParameterFlow", { datastore: root, namespace: "user:tester" });
    assert.equal((await flow.latestRun())?.id, runIdFrom(second.stderr));
    assert.equal((await flow.latestSuccessfulRun())?.id, runIdFrom(second.stderr));
    assert.equal(await store.readLatestRun(), runIdFrom(second.stderr));
  });

  test("a step awaiting a promise nothing can settle fails saying so, keeps what it assigned, and is retried and caught", async () => {
    // given: the step assigns, then awaits a Promise whose resolve() is never called
    const root = path.join(tempDir(), ".flowship");
    const file = writeFlowFile(
      path.dirname(root),
      "stalled",
      `export default flow("Stalled")
        .step("start", async (self) => { self.before = 1; await new Promise(() => {}); }, { next: "end", decorators: [retry({ times: 1 }), catchError({ var: "failure" })] })
        .step("end", (self) => { console.log("end sees " + self.before + " and " + self.failure.type); })`,
    );
    // when: in a task host's thread, and in a process of its own (where Node would exit 13)
    const [host, proc] = await Promise.all(
      ["host", "process"].map((isolation) =>
        runCli([file, "run", "--isolation", isolation], { env: flowshipEnv(root) }),
      ),
    );
    // then
    for (const result of [host!, proc!]) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(
        result.stderr.match(
          /caught a failure of step 'start': step 'start' never finished: its promise was still pending with nothing left that could settle it/g,
        )?.length,
        1,
        result.stderr,
      );
      assert.match(result.stdout, /end sees 1 and StepNeverSettled/);
      assert.match(result.stderr, /1 attempt retried/);
      assert.doesNotMatch(result.stderr, /without recording a result|exited with code/);
    }
  });

  test("a foreach over a string fans out over its characters, as in Metaflow", async () => {
    const result = await runCli([fixture("string_foreach.ts"), "run"], {
      env: flowshipEnv(path.join(tempDir(), ".flowship")),
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout + result.stderr, /word ABC/);
  });
});
