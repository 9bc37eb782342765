import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { FlowStore } from "../../datastore/flow-store.js";
import { openStorage } from "../../datastore/open-storage.js";
import { liveLogChunkKey, startLiveLogUpload } from "../../task/live-log-upload.js";
import type { TaskAttemptOptions } from "../../task/task-attempt.js";
import { LiveLogTail } from "./live-log-tail.js";

const until = async (what: () => boolean) => {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(what(), "timed out");
};

test("live output: chunks printed while the task runs, the stored log's rest at the end, each line once", async () => {
  // given: a task's log files, uploaded as chunks, and the laptop's tail
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-live-"));
  const store = new FlowStore({ storage: await openStorage({ kind: "local", root }), flow: "F" });
  const attempt = { runId: "1", step: "fit", taskId: "0", attempt: 0 };
  const files = { stdout: path.join(root, "out.log"), stderr: path.join(root, "err.log") };
  const printed: string[] = [];
  const tail = new LiveLogTail(
    store,
    {
      spec: attempt,
      logFiles: { stdout: path.join(root, "local.out"), stderr: path.join(root, "local.err") },
      prefix: "[1/fit/0]",
      print: (line: string, stream: string) => printed.push(`${stream} ${line}`),
    } as unknown as TaskAttemptOptions,
    0.01,
  );
  const upload = startLiveLogUpload(store, attempt, files, 0.01);
  tail.start();
  // when: a line on each stream, and half a line
  fs.appendFileSync(files.stdout, "one\n");
  fs.appendFileSync(files.stderr, "warn\n");
  fs.appendFileSync(files.stdout, Buffer.from("tw€")); // held back until its newline
  // then: the complete lines arrive while the task still runs
  await until(() => printed.length === 2);
  assert.deepEqual(printed.sort(), ["stderr [1/fit/0] warn", "stdout [1/fit/0] one"]);
  // when: the rest of the line, and lines the uploader never sends (the task ends first)
  fs.appendFileSync(files.stdout, Buffer.from("o\nthree\nno newline"));
  await until(() => printed.length === 4);
  await upload.stop();
  fs.appendFileSync(files.stdout, "\nfour\n");
  const key = (stream: "stdout" | "stderr") => store.logKey("1", "fit", "0", 0, stream);
  for (const stream of ["stdout", "stderr"] as const)
    await store.storage.write(key(stream), [fs.readFileSync(files[stream])]);
  await upload.clear();
  const any = await tail.finish();
  // then: every line once, in order; the chunks are gone; the stored logs are the local ones
  assert.deepEqual(
    printed.filter((line) => line.startsWith("stdout")),
    ["one", "tw€o", "three", "no newline", "four"].map((line) => `stdout [1/fit/0] ${line}`),
  );
  assert.equal(printed.length, 6);
  assert.equal(await store.storage.read(liveLogChunkKey(store, attempt, "stdout", 1)), undefined);
  assert.ok(any);
  assert.equal(fs.readFileSync(path.join(root, "local.out"), "utf8"), "one\ntw€o\nthree\nno newline\nfour\n");
});
