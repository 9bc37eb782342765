/**
 * Large datastores made through flowship's own writer (FlowStore and the content store), for the
 * UI's tests and benchmarks: 10,000 runs or a run of 10,000 tasks would take minutes to run for
 * real, but the records are the ones a run writes, byte for byte in form.
 */
import os from "node:os";
import { LocalStorage } from "../../src/datastore/backends/local.js";
import type { ArtifactRef } from "../../src/datastore/content-store.js";
import { FlowStore } from "../../src/datastore/flow-store.js";
import type { AttemptEndRecord, RecordedStep, RunRecord } from "../../src/datastore/records-types.js";
import { encodeArtifact } from "../../src/datastore/serializer.js";

export interface SyntheticRun {
  runId: string;
  startedAt: Date;
  user?: string;
  tags?: string[];
  systemTags?: string[];
  /** `running` writes no end record and names this process as the runtime (alive). */
  status: "succeeded" | "failed" | "running";
  reason?: string;
  steps?: RecordedStep[];
  /** Keep the latest-run pointers current (what `run` does); off saves time for thousands of runs. */
  pointers?: boolean;
}

const LINEAR: RecordedStep[] = [
  { name: "start", type: "linear", next: ["end"] },
  { name: "end", type: "end", next: [] },
];

export function syntheticStore(root: string, flow: string): FlowStore {
  return new FlowStore({ storage: new LocalStorage({ root }), flow });
}

/** Writes a run's records: run.json (and end.json once ended), and the latest-run pointers. */
export async function writeSyntheticRun(store: FlowStore, run: SyntheticRun): Promise<RunRecord> {
  const user = run.user ?? "tester";
  const startedAt = run.startedAt.toISOString();
  const record: RunRecord = {
    flow: store.flow,
    runId: run.runId,
    user,
    namespace: `user:${user}`,
    tags: run.tags ?? [],
    systemTags: [`user:${user}`, "runtime:local", "flowship_version:0.0.0", ...(run.systemTags ?? [])],
    parameters: {},
    startedAt,
    flowshipVersion: "0.0.0",
    codeHash: "0".repeat(64),
    host: os.hostname(),
    pid: process.pid,
    runtime: "local",
    steps: run.steps ?? LINEAR,
  };
  await store.claimRunId(run.runId);
  await store.writeRun(record);
  if (run.pointers !== false) await store.updateLatest("started", record.namespace, run.runId, startedAt);
  if (run.status !== "running") {
    await store.writeRunEnd(run.runId, {
      status: run.status,
      endedAt: new Date(run.startedAt.getTime() + 1000).toISOString(),
      ...(run.reason ? { reason: run.reason } : {}),
    });
  }
  return record;
}

/** Stores `value` as an artifact blob of the flow; its reference. */
export function storeValue(store: FlowStore, name: string, value: unknown): Promise<ArtifactRef> {
  return store.content.put(encodeArtifact(name, "synthetic", value));
}

export interface SyntheticTask {
  step: string;
  taskId: string;
  startedAt: Date;
  ms: number;
  /** Attempts before the last: each failed (`caught` on the last makes it a caught failure). */
  failedAttempts?: number;
  /** The last attempt's outcome; `running` has no end record. */
  status: "succeeded" | "failed" | "running" | "caught";
  foreachStack?: { step: string; index: number; numSplits: number; items?: ArtifactRef }[];
  foreach?: { var: string; numSplits: number };
  artifacts?: Record<string, ArtifactRef>;
}

/** Writes a task's attempt records as a run's tasks write them. */
export async function writeSyntheticTask(
  store: FlowStore,
  runId: string,
  task: SyntheticTask,
): Promise<void> {
  const attempts = (task.failedAttempts ?? 0) + 1;
  for (let attempt = 0; attempt < attempts; attempt++) {
    const start = new Date(task.startedAt.getTime() + attempt * task.ms);
    await store.writeAttemptStart(runId, task.step, task.taskId, {
      attempt,
      startedAt: start.toISOString(),
      host: os.hostname(),
      inputs: [],
      foreachStack: task.foreachStack ?? [],
    });
    const last = attempt === attempts - 1;
    if (last && task.status === "running") break;
    const failed = !last || task.status === "failed" || task.status === "caught";
    const end: AttemptEndRecord = {
      attempt,
      status: failed && !(last && task.status === "caught") ? "failed" : "succeeded",
      endedAt: new Date(start.getTime() + task.ms).toISOString(),
      artifacts: last ? (task.artifacts ?? {}) : {},
      ...(failed
        ? { failure: { type: "Error", message: `attempt ${attempt} fails`, stack: "", retryable: true } }
        : {}),
      ...(last && task.status === "caught" ? { caught: true } : {}),
      ...(last && task.foreach ? { foreach: task.foreach } : {}),
    };
    await store.writeAttemptEnd(runId, task.step, task.taskId, end);
  }
}
