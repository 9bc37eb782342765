/**
 * What the UI shows, as JSON, read through the Client API in every namespace (production ones
 * included): the flows with their latest runs (flows-view.ts), one run with its graph and every
 * task's attempts (run-tasks.ts), one task with its artifacts, a task's log (log-view.ts).
 * Read-only: nothing here writes to the datastore.
 */

import { type DatastoreOption, openContext } from "../client/client-context.js";
import type { DataArtifact } from "../client/data-artifact.js";
import { Run, Task } from "../client/index.js";
import { toJsonValue } from "../client/json-value.js";
import type { FlowStore } from "../datastore/flow-store.js";
import { previewRawStart, previewValue } from "./artifact-preview.js";
import { firstLine, flowRunsPage, listFlowViews } from "./flows-view.js";
import { runTasks, summarizeTask } from "./run-tasks.js";
import type { ArtifactView, FlowRunsView, FlowView, RunView, Shown, TaskView } from "./views.js";

/** Artifacts up to this size are read to show what they are; larger ones by type and size (typed arrays by their first values). */
export const PREVIEW_BYTES = 32 * 1024 * 1024;
/** Bytes of a large raw array read for its first values. */
const RAW_START_BYTES = 4096;

async function storageOf(datastore: DatastoreOption) {
  return (await openContext({ datastore, namespace: null })).storage;
}

/** Flows with runs in any namespace, and flows deployed (a note in the datastore) that never ran yet. */
export async function flowsView(datastore: DatastoreOption): Promise<FlowView[]> {
  return listFlowViews(await storageOf(datastore));
}

export async function flowRunsView(
  datastore: DatastoreOption,
  flow: string,
  query: URLSearchParams,
): Promise<FlowRunsView> {
  return flowRunsPage(await storageOf(datastore), flow, query);
}

export async function runView(datastore: DatastoreOption, flow: string, runId: string): Promise<RunView> {
  const context = await openContext({ datastore, namespace: null });
  const run = await Run.get(`${flow}/${runId}`, { datastore, namespace: null });
  const failure = run.failureReason;
  return {
    flow,
    run: {
      id: run.id,
      status: run.status,
      startedAt: run.startedAt.toISOString(),
      ...(run.endedAt ? { endedAt: run.endedAt.toISOString() } : {}),
      user: run.user,
      namespace: run.namespace,
      tags: run.userTags,
      systemTags: run.systemTags,
      ...(failure ? { failureReason: failure, reason: firstLine(failure) } : {}),
      ...(run.originRunId ? { originRunId: run.originRunId } : {}),
      ...(run.scheduledTime ? { scheduledTime: run.scheduledTime.toISOString() } : {}),
    },
    parameters: toJsonValue(await run.parameters()) as Record<string, unknown>,
    graph: run.graph,
    steps: await runTasks(context.store(flow), run.id, run.status),
    now: new Date().toISOString(),
  };
}

async function artifactView(store: FlowStore, artifact: DataArtifact): Promise<ArtifactView> {
  const view: ArtifactView = { name: artifact.name, type: artifact.type, size: artifact.size };
  try {
    if (artifact.size <= PREVIEW_BYTES) {
      view.preview = previewValue(await artifact.load());
    } else if (artifact.encoding.startsWith("raw:")) {
      // A large array: its first values, read without loading the rest.
      const start = await store.storage.readRange(store.content.keyOf(artifact.hash), 0, RAW_START_BYTES);
      const preview = start && previewRawStart(artifact.encoding, start.bytes, artifact.size);
      if (preview) Object.assign(view, { preview, partial: true });
    }
  } catch (error) {
    view.error = (error as Error).message;
  }
  return view;
}

export async function taskView(datastore: DatastoreOption, pathspec: string): Promise<TaskView> {
  const task = await Task.get(pathspec, { datastore, namespace: null });
  const store = (await openContext({ datastore, namespace: null })).store(task.flow);
  const records = (await store.readAttempts(task.run.id, task.step, task.id))!;
  const runStatus = task.run.status;
  const artifacts: ArtifactView[] = [];
  for (const artifact of task.artifacts()) artifacts.push(await artifactView(store, artifact));
  let input: Shown | undefined;
  const frame = task.foreachStack.at(-1);
  if (frame && (frame.items?.size ?? 0) <= PREVIEW_BYTES) {
    input = await task.input().then(previewValue, () => undefined);
  }
  return {
    ...summarizeTask(task.id, records, runStatus === "running"),
    flow: task.flow,
    runId: task.run.id,
    step: task.step,
    runStatus,
    inputs: task.inputs,
    ...(task.origin ? { origin: task.origin } : {}),
    ...(input ? { input } : {}),
    artifacts,
  };
}

/** An artifact's value for download: JSON text, or its bytes when it is binary. */
export async function artifactDownload(
  datastore: DatastoreOption,
  pathspec: string,
  name: string,
): Promise<{ body: Uint8Array | string; contentType: string; fileName: string }> {
  const task = await Task.get(pathspec, { datastore, namespace: null });
  const value = await task.load(name);
  if (value instanceof Uint8Array) {
    return { body: value, contentType: "application/octet-stream", fileName: `${name}.bin` };
  }
  return {
    body: `${JSON.stringify(toJsonValue(value), null, 2)}\n`,
    contentType: "application/json; charset=utf-8",
    fileName: `${name}.json`,
  };
}
