import { fileURLToPath, pathToFileURL } from "node:url";
import { batchTaskEnvironment, deployedWithSpecs, quietAwsSdkNodeNotice } from "../../config.js";
import { FlowStore, type TaskAttempts } from "../../datastore/flow-store.js";
import { openStorage } from "../../datastore/open-storage.js";
import { writeRecord } from "../../datastore/records.js";
import type { AttemptEndRecord, RunRecord } from "../../datastore/records-types.js";
import { FlowshipError } from "../../errors.js";
import { parseDecoratorSpec } from "../../flow/decorators.js";
import { registeredFlows } from "../../flow/registry.js";
import type { FlowSpec } from "../../flow/types.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import { validateFlow } from "../../graph/validate.js";
import { reportError } from "../../report-error.js";
import { effectiveDecorators } from "../../run/run-options.js";
import { buildAttemptOptions, buildTaskSpec } from "../../task/attempt-builder.js";
import { attemptLogs } from "../../task/attempt-logs.js";
import { deriveTask } from "../../task/derive-task.js";
import { startLiveLogUpload } from "../../task/live-log-upload.js";
import { recordDeath, type TaskExit } from "../../task/task-attempt.js";
import { TASK_EXIT } from "../../task/task-exit.js";
import { TaskProcess } from "../../task/task-process.js";
import type { ForeachLimit, TaskSpec } from "../../task/task-spec.js";
import { exitWhenFlushed } from "../../util/exit-when-flushed.js";
import { FOREACH_FILE, FOREACH_ITEMS_FILE } from "../compile/foreach-states.js";
import { SWITCH_FILE } from "../compile/switch-states.js";
import { type BatchEnvironment, readBatchEnvironment } from "./batch-environment.js";
import { datastoreLocation } from "./datastore-location.js";
import { createRun } from "./production-run.js";
import { cloneForResume } from "./resume-clone.js";
import { ALERTED_EXIT, sendStepAlert, stepAlert } from "./step-alert.js";

export class BatchTaskError extends FlowshipError {}

async function loadFlow(bundle: string, name: string): Promise<FlowSpec> {
  await import(pathToFileURL(bundle).href);
  const flow = registeredFlows().find((f) => f.name === name);
  if (!flow)
    throw new BatchTaskError("FS_BATCH_NO_FLOW", `The code package defines no flow named '${name}'.`);
  return flow;
}

/** What the task says when a foreach is wider than its deployment can run. */
export function foreachLimit(foreach: NonNullable<BatchEnvironment["foreach"]>): ForeachLimit {
  return foreach.mode === "inline"
    ? {
        maxWidth: foreach.maxWidth,
        why: "an inline Map can run within its execution's 25,000-event history (90% of it, the rest kept for retries)",
        remedy:
          "Deploy with `step-functions create --distributed-map always` (each item a child execution with its own history), or pass fewer items.",
      }
    : {
        maxWidth: foreach.maxWidth,
        why: "this deployment allows (step-functions create --max-foreach-width, default 1,000,000)",
        remedy: "Deploy again with a larger --max-foreach-width, or pass fewer items.",
      };
}

/**
 * After the attempt: publish the foreach's items for the Map state (`foreach.json` for an inline
 * Map, also the bare array for a Distributed Map's ItemReader) or a switch's chosen step for the
 * Choice state (`switch.json`), and close the run when it ends — with the step's own alert when
 * the deployment alerts on errors. Returns true when that alert was sent.
 */
async function afterAttempt(
  store: FlowStore,
  graph: FlowGraph,
  spec: TaskSpec,
  end: AttemptEndRecord,
  env: BatchEnvironment,
): Promise<boolean> {
  const mode = env.foreach?.mode;
  const key = store.taskKey(spec.runId, spec.step, spec.taskId);
  if (end.status === "succeeded") {
    if (end.foreach) {
      const indices = Array.from({ length: end.foreach.numSplits }, (_, i) => i);
      await writeRecord(store.storage, `${key}/${FOREACH_FILE}`, { indices });
      if (mode === "distributed") {
        await store.storage.write(`${key}/${FOREACH_ITEMS_FILE}`, [JSON.stringify(indices)]);
      }
    }
    if (end.switch) {
      await writeRecord(store.storage, `${key}/${SWITCH_FILE}`, { next: end.switch.next });
    }
    if (graph.nodes.get(spec.step)!.type === "end") {
      await store.writeRunEnd(spec.runId, { status: "succeeded", endedAt: new Date().toISOString() });
      const run = await store.readRun(spec.runId);
      if (run) await store.updateLatest("succeeded", run.namespace, run.runId, run.startedAt);
    }
    return false;
  }
  const lastAttempt = end.failure?.retryable === false || spec.attempt + 1 >= spec.maxAttempts;
  const caught = spec.decorators.some((d) => d.kind === "catch");
  if (!lastAttempt || caught) return false;
  const reason = `${end.failure?.type}: ${end.failure?.message}`;
  const print = (line: string) => process.stderr.write(`${line}\n`);
  const alerted =
    env.alert !== undefined &&
    (await sendStepAlert(
      stepAlert(env.alert, {
        flow: spec.flow,
        runId: spec.runId,
        step: spec.step,
        taskId: spec.taskId,
        error: reason,
      }),
      print,
    ));
  await store.writeRunEnd(spec.runId, {
    status: "failed",
    endedAt: new Date().toISOString(),
    reason: `${spec.step}/${spec.taskId}: ${reason}`,
    failedTask: `${spec.flow}/${spec.runId}/${spec.step}/${spec.taskId}`,
    ...(alerted ? { alertedAt: new Date().toISOString() } : {}),
  });
  return alerted;
}

/**
 * Runs the task described by `env` with the flow compiled into `bundle` (the code package's
 * `flow.mjs`, already verified by the bootstrap); returns the exit code for the container.
 */
export async function runBatchTask(env: BatchEnvironment, bundle: string): Promise<number> {
  const location = datastoreLocation(env.datastoreRoot);
  const storage = await openStorage(location);
  const store = new FlowStore({ storage, flow: env.flow });
  const flow = await loadFlow(bundle, env.flow);
  const graph = validateFlow(flow);
  const node = graph.nodes.get(env.step);
  if (env.resumeOrigin !== undefined) {
    await cloneForResume({
      store,
      graph,
      flow,
      runId: env.runId,
      originRunId: env.resumeOrigin,
      step: env.step,
      codeHash: env.codePackageSha256,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    return 0;
  }
  if (!node)
    throw new BatchTaskError("FS_BATCH_UNKNOWN_STEP", `Flow '${flow.name}' has no step '${env.step}'.`);
  const run = await runOfTask(store, flow, env, bundle);
  const derived = await deriveTask(store, graph, env.runId, env.step, env.taskId);
  const decorators =
    env.local?.decorators ?? effectiveDecorators(node.spec, deployedWithSpecs().map(parseDecoratorSpec));
  // Attempts are numbered from what the datastore holds, never from $$.State.RetryCount: that
  // also counts the state's retries of Batch throttling, which never ran the step, and would make
  // an attempt look like the last (catchError catching early) while Step Functions still retries.
  const attempts = await store.readAttempts(env.runId, env.step, env.taskId);
  const refused = await refuseNonRetryable(store, env, attempts);
  if (refused !== undefined) return refused;
  const spec = buildTaskSpec({
    flow: flow.name,
    runId: env.runId,
    step: env.step,
    taskId: env.taskId,
    // A local run numbers attempts itself (and retries only what may be retried).
    attempt: env.local ? env.local.attempt : attempts ? attempts.latest + 1 : 0,
    decorators,
    inputs: derived.inputs,
    foreachStack: derived.foreachStack,
    datastore: location,
    run,
    // A deployed flow's task runs in production whatever its run's namespace.
    ...(env.local ? {} : { production: true }),
    ...(env.fallback
      ? { fallbackReason: env.fallbackError ?? "the step failed and its failure was not recorded" }
      : {}),
    ...(env.foreach ? { foreachLimit: foreachLimit(env.foreach) } : {}),
  });
  const { end, exit } = await runAttempt(store, env, spec, bundle);
  // A local run reads the end record itself and closes the run; a state machine needs these files.
  const alerted = !env.local && (await afterAttempt(store, graph, spec, end, env));
  if (alerted) return ALERTED_EXIT;
  return end.status === "succeeded" ? 0 : (exit.code ?? 1) || 1;
}

/** The task's run: its record, which the start step of a state machine's execution creates. */
async function runOfTask(
  store: FlowStore,
  flow: FlowSpec,
  env: BatchEnvironment,
  bundle: string,
): Promise<RunRecord> {
  const run =
    (await store.readRun(env.runId)) ??
    (env.step === "start" ? await createRun(store, flow, env, env.codePackageSha256, bundle) : undefined);
  if (!run)
    throw new BatchTaskError(
      "FS_BATCH_NO_RUN",
      `Run '${flow.name}/${env.runId}' has no record; its start step never ran.`,
    );
  return run;
}

/**
 * The job's exit code when the task's latest attempt failed with an error that must not be
 * retried; undefined when the step runs.
 */
async function refuseNonRetryable(
  store: FlowStore,
  env: BatchEnvironment,
  attempts: TaskAttempts | undefined,
): Promise<number | undefined> {
  const previous = attempts?.ends.get(attempts.latest);
  if (env.local || env.fallback || previous?.status !== "failed" || previous.failure?.retryable !== false) {
    return undefined;
  }
  // Step Functions' Retry cannot see exit codes, so it retries a NonRetryableError too: the
  // step is not run again, and the job fails at once.
  process.stderr.write(
    `[${env.runId}/${env.step}/${env.taskId}] not run again: attempt ${attempts!.latest} failed with ${previous.failure.type}, which must not be retried\n`,
  );
  // Its alert went out with that attempt: this job's failure must not alert again.
  return (await store.readRunEnd(env.runId))?.alertedAt ? ALERTED_EXIT : TASK_EXIT.noRetry;
}

/** Runs the attempt in a task process, then stores its logs; how it ended, recorded. */
async function runAttempt(
  store: FlowStore,
  env: BatchEnvironment,
  spec: TaskSpec,
  bundle: string,
): Promise<{ end: AttemptEndRecord; exit: TaskExit }> {
  const logs = attemptLogs(store, spec);
  const task = new TaskProcess(
    buildAttemptOptions({
      bundle,
      spec,
      logFiles: logs.files,
      print: (line, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`),
    }),
  );
  // A local run prints the task's output while it runs; a state machine has no one to print to.
  const live = env.local?.liveLogSeconds
    ? startLiveLogUpload(store, spec, logs.files, env.local.liveLogSeconds)
    : undefined;
  const exit = await task.exited;
  await live?.stop();
  const end =
    (await store.readAttemptEnd(env.runId, env.step, env.taskId, spec.attempt)) ??
    (await recordDeath(store, spec, exit));
  await logs.persist();
  await live?.clear();
  return { end, exit };
}

/**
 * The entry of the runtime packaged as `batch-task.mjs` (see aws/package/runtime-bundle.ts): the
 * bootstrap imports it from the extracted package, and it runs the step with the `flow.mjs`
 * beside it. Sets the process's exit code; errors are one line, as the CLI prints them.
 */
export async function runPackagedTask(flowBundle: URL): Promise<void> {
  quietAwsSdkNodeNotice();
  let code: number;
  try {
    code = await runBatchTask(readBatchEnvironment(batchTaskEnvironment()), fileURLToPath(flowBundle));
  } catch (error) {
    code = reportError(error);
  }
  // The flow module was imported here too: a timer it started must not keep the container alive.
  exitWhenFlushed(code);
}
