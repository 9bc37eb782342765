/**
 * Where a task attempt's stdout and stderr go while it runs: straight into the datastore's files
 * when it is a local folder, else into temporary files uploaded when the attempt ends.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FlowStore } from "../datastore/flow-store.js";
import { logTimesFile } from "./log-times.js";
import type { TaskSpec } from "./task-spec.js";

export interface AttemptLogs {
  files: { stdout: string; stderr: string };
  /** Stores the logs in the datastore (a no-op when they were written there directly). */
  persist(): Promise<void>;
}

export function attemptLogs(
  store: FlowStore,
  spec: Pick<TaskSpec, "runId" | "step" | "taskId" | "attempt">,
): AttemptLogs {
  const key = (stream: "stdout" | "stderr") =>
    store.logKey(spec.runId, spec.step, spec.taskId, spec.attempt, stream);
  const local = store.storage.localPath?.bind(store.storage);
  if (local)
    return { files: { stdout: local(key("stdout")), stderr: local(key("stderr")) }, persist: async () => {} };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-logs-"));
  const files = { stdout: path.join(dir, "stdout.log"), stderr: path.join(dir, "stderr.log") };
  return {
    files,
    async persist() {
      for (const stream of ["stdout", "stderr"] as const) {
        const bytes = fs.existsSync(files[stream]) ? fs.readFileSync(files[stream]) : Buffer.alloc(0);
        await store.storage.write(key(stream), [bytes]);
        // The log's time index (log-times.ts), when the attempt printed anything.
        const times = logTimesFile(files[stream]);
        if (fs.existsSync(times))
          await store.storage.write(store.logTimesKey(key(stream)), [fs.readFileSync(times)]);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
