/**
 * What the UI shows, as JSON, read through the Client API in every namespace (production ones
 * included): the flows with their latest runs, one run with its graph and every task's attempts,
 * one task with its artifacts, a task's log. Read-only: nothing here writes to the datastore.
 */

import { type DatastoreOption, openContext } from "../client/client-context.js";
import { type Flow, listFlows, Run, Task } from "../client/index.js";
import { toJsonValue } from "../client/json-value.js";
import { readDeployments } from "./deployments.js";
import type {
  ArtifactView,
  AttemptView,
  FlowView,
  LogChunk,
  RunSummary,
  RunView,
  TaskSummary,
  TaskView,
} from "./views.js";

const FLOW_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Runs listed per flow on the flows page. */
export const RUNS_PER_FLOW = 10;
/** Artifacts up to this size are shown as values; larger ones by size and type, downloadable. */
export const PREVIEW_BYTES = 64 * 1024;

function summary(run: Run): RunSummary {
  return {
    id: run.id,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    ...(run.endedAt ? { endedAt: run.endedAt.toISOString() } : {}),
    user: run.user,
    namespace: run.namespace,
    tags: run.userTags,
    systemTags: run.systemTags,
  };
}

/** Flows with runs in any namespace, and flows deployed (a note in the datastore) that never ran yet. */
export async function flowsView(datastore: DatastoreOption): Promise<FlowView[]> {
  const { storage } = await openContext({ datastore, namespace: null });
  const flows = await listFlows({ datastore, namespace: null });
  const views = await Promise.all(
    flows.map(async (flow: Flow) => ({
      name: flow.name,
      runs: (await flow.runs()).slice(0, RUNS_PER_FLOW).map(summary),
      deployments: await readDeployments(storage, flow.name),
    })),
  );
  const listed = new Set(views.map((v) => v.name));
  for (const name of await storage.list("")) {
    if (listed.has(name) || !FLOW_NAME.test(name)) continue;
    const deployments = await readDeployments(storage, name);
    if (deployments.length > 0) views.push({ name, runs: [], deployments });
  }
  return views.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function attemptViews(task: Task): AttemptView[] {
  return task.attempts().map((a) => ({
    attempt: a.attempt,
    status: a.status,
    startedAt: a.startedAt.toISOString(),
    ...(a.endedAt ? { endedAt: a.endedAt.toISOString() } : {}),
    ...(a.failure ? { failure: { type: a.failure.type, message: a.failure.message } } : {}),
  }));
}

function taskSummary(task: Task): TaskSummary {
  return {
    id: task.id,
    status: task.status,
    attempts: attemptViews(task),
    ...(task.index !== undefined ? { index: task.index } : {}),
    ...(task.choice ? { choice: task.choice } : {}),
  };
}

export async function runView(datastore: DatastoreOption, flow: string, runId: string): Promise<RunView> {
  const run = await Run.get(`${flow}/${runId}`, { datastore, namespace: null });
  const steps: Record<string, TaskSummary[]> = {};
  for (const step of await run.steps()) steps[step.name] = (await step.tasks()).map(taskSummary);
  const failure = run.failureReason;
  return {
    flow,
    run: {
      ...summary(run),
      ...(failure ? { failureReason: failure } : {}),
      ...(run.originRunId ? { originRunId: run.originRunId } : {}),
      ...(run.scheduledTime ? { scheduledTime: run.scheduledTime.toISOString() } : {}),
    },
    parameters: toJsonValue(await run.parameters()) as Record<string, unknown>,
    graph: run.graph,
    steps,
    now: new Date().toISOString(),
  };
}

export async function taskView(datastore: DatastoreOption, pathspec: string): Promise<TaskView> {
  const task = await Task.get(pathspec, { datastore, namespace: null });
  const artifacts: ArtifactView[] = [];
  for (const artifact of task.artifacts()) {
    const view: ArtifactView = { name: artifact.name, type: artifact.type, size: artifact.size };
    if (artifact.size <= PREVIEW_BYTES) view.value = toJsonValue(await artifact.load());
    artifacts.push(view);
  }
  return {
    ...taskSummary(task),
    flow: task.flow,
    runId: task.run.id,
    step: task.step,
    inputs: task.inputs,
    ...(task.origin ? { origin: task.origin } : {}),
    artifacts,
  };
}

/** One log of a task attempt from `offset` (characters), for tailing. */
export async function logView(
  datastore: DatastoreOption,
  pathspec: string,
  stream: "stdout" | "stderr",
  attempt: number | undefined,
  offset: number,
): Promise<LogChunk> {
  const task = await Task.get(pathspec, {
    datastore,
    namespace: null,
    ...(attempt !== undefined ? { attempt } : {}),
  });
  const whole = stream === "stdout" ? await task.stdout() : await task.stderr();
  return { text: whole.slice(offset), next: whole.length, finished: task.finished };
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
