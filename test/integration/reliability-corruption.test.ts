// One flipped byte in a stored artifact blob or metadata record is found on read, with an error
// naming the object: through the Client API, through the CLI, and through a resume that reads it.
// Never silently wrong data.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Run, Task } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { flowStore } from "../helpers/datastore.js";

const FLOW = "test/fixtures/flows/crash_flow.ts";

interface CleanRun {
  root: string;
  runId: string;
  env: NodeJS.ProcessEnv;
}

async function cleanRun(): Promise<CleanRun> {
  const root = path.join(tempDir(), ".flowship");
  const env = flowshipEnv(root);
  const result = await runCli([FLOW, "run"], { env });
  assert.equal(result.code, 0, result.stderr);
  return { root, runId: runIdFrom(result.stderr), env };
}

/** Flips the lowest bit of the byte at `offset` (from the end when negative). */
function flipByte(file: string, offset: number): void {
  const bytes = fs.readFileSync(file);
  bytes[offset < 0 ? bytes.length + offset : offset]! ^= 1;
  fs.writeFileSync(file, bytes);
}

/** The datastore key of the blob holding artifact `name` of a task. */
async function blobKey(run: CleanRun, step: string, taskId: string, name: string): Promise<string> {
  const store = flowStore(run.root, "CrashFlow");
  const end = await store.readSuccessfulEnd(run.runId, step, taskId);
  return store.content.keyOf(end!.artifacts[name]!.hash);
}

/** `what` names the artifact as the reader knows it. */
const corruptBlob = (root: string, key: string, what: string) =>
  `Corrupt object for ${what}: '${key}' in ${root} does not match its hash; it was changed or damaged after it was stored (see docs/reliability.md).`;
const corruptRecord = (root: string, key: string) =>
  `Corrupt metadata record '${key}' in ${root}: its checksum does not match; it was changed or cut short.`;

describe("a flipped byte in an artifact blob", () => {
  test("is reported by the Client API and by dump, naming the object", async () => {
    // given
    const run = await cleanRun();
    const key = await blobKey(run, "work", "2", "value");
    flipByte(path.join(run.root, key), -1);
    const pathspec = `CrashFlow/${run.runId}/work/2`;
    // when
    const task = await Task.get(pathspec, { datastore: run.root, namespace: null });
    // then
    await assert.rejects(task.load("value"), {
      code: "FS_DATASTORE_CORRUPT",
      message: corruptBlob(run.root, key, `artifact '${pathspec}/value'`),
    });
    assert.deepEqual(await task.load("items"), [1, 2, 3, 4], "the other artifacts still read");
    const dump = await runCli([FLOW, "dump", `${run.runId}/work/2`, "--include", "value"], { env: run.env });
    assert.equal(dump.code, 1);
    assert.equal(dump.stderr, `error: ${corruptBlob(run.root, key, `artifact '${pathspec}/value'`)}\n`);
  });

  test("fails a resumed step that reads it, naming the object", async () => {
    // given
    const run = await cleanRun();
    const key = await blobKey(run, "work", "2", "value");
    flipByte(path.join(run.root, key), -1);
    // when: `gather` runs again and reads the value of every work task
    const resumed = await runCli([FLOW, "resume", "gather", "--origin-run-id", run.runId], { env: run.env });
    // then
    assert.equal(resumed.code, 1);
    const runId = runIdFrom(resumed.stderr);
    assert.equal(
      resumed.stderr.trim().split("\n").at(-1),
      `error: Run CrashFlow/${runId} failed: gather/0: CorruptObjectError: ${corruptBlob(
        run.root,
        key,
        `artifact 'value' of CrashFlow/${runId}/work/2`,
      )}`,
    );
    const gather = await Task.get(`CrashFlow/${runId}/gather/0`, { datastore: run.root, namespace: null });
    assert.equal(gather.exception?.code, "FS_DATASTORE_CORRUPT");
    assert.equal(gather.exception?.retryable, false, "corruption is not retried");
  });

  test("once the corrupt blob is deleted, the next run that produces the value stores it again", async () => {
    // given
    const run = await cleanRun();
    const key = await blobKey(run, "work", "2", "value");
    flipByte(path.join(run.root, key), -1);
    fs.rmSync(path.join(run.root, key));
    // when
    const again = await runCli([FLOW, "run"], { env: run.env });
    // then
    assert.equal(again.code, 0, again.stderr);
    const task = await Task.get(`CrashFlow/${runIdFrom(again.stderr)}/work/2`, {
      datastore: run.root,
      namespace: null,
    });
    assert.equal(await task.load("value"), 109);
  });
});

describe("a flipped byte in a metadata record", () => {
  test("in a task's end record: reported by the Client API and by resume, naming the record", async () => {
    // given: a digit of the end time changed, which would still be valid JSON
    const run = await cleanRun();
    const store = flowStore(run.root, "CrashFlow");
    const key = `${store.taskKey(run.runId, "work", "1")}/0.end.json`;
    const file = path.join(run.root, key);
    flipByte(file, fs.readFileSync(file, "utf8").indexOf('"endedAt":"') + 12);
    // when / then
    await assert.rejects(
      Task.get(`CrashFlow/${run.runId}/work/1`, { datastore: run.root, namespace: null }),
      {
        code: "FS_DATASTORE_CORRUPT",
        message: corruptRecord(run.root, key),
      },
    );
    const resumed = await runCli([FLOW, "resume", "--origin-run-id", run.runId], { env: run.env });
    assert.equal(resumed.code, 1);
    assert.equal(resumed.stderr, `error: ${corruptRecord(run.root, key)}\n`);
  });

  test("in a run record, or a record cut short: the run cannot be opened", async () => {
    // given
    const run = await cleanRun();
    const store = flowStore(run.root, "CrashFlow");
    const runKey = `${store.runKey(run.runId)}/run.json`;
    flipByte(path.join(run.root, runKey), 20);
    const other = await cleanRun();
    const endKey = `${flowStore(other.root, "CrashFlow").runKey(other.runId)}/end.json`;
    const endFile = path.join(other.root, endKey);
    fs.truncateSync(endFile, fs.statSync(endFile).size - 3);
    // when / then
    await assert.rejects(Run.get(`CrashFlow/${run.runId}`, { datastore: run.root, namespace: null }), {
      code: "FS_DATASTORE_CORRUPT",
      message: corruptRecord(run.root, runKey),
    });
    await assert.rejects(Run.get(`CrashFlow/${other.runId}`, { datastore: other.root, namespace: null }), {
      code: "FS_DATASTORE_CORRUPT",
      message: corruptRecord(other.root, endKey),
    });
    const runs = await runCli([FLOW, "runs"], { env: other.env });
    assert.equal(runs.code, 1);
    assert.equal(runs.stderr, `error: ${corruptRecord(other.root, endKey)}\n`);
  });
});
