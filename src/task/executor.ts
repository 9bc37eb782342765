/**
 * Runs ONE attempt of one step: reads its inputs, calls the user's function, stores what it
 * assigned, and records how it ended. The same code runs in a local task process and in a
 * Batch container; it never imports the runtime or the CLI.
 */
import os from "node:os";
import { secretValues } from "../config.js";
import type { ArtifactRef, ContentStore } from "../datastore/content-store.js";
import { FlowStore } from "../datastore/flow-store.js";
import { openStorage } from "../datastore/open-storage.js";
import type { AttemptEndRecord, ForeachFrame } from "../datastore/records-types.js";
import { encodeArtifact } from "../datastore/serializer.js";
import { FlowshipError, type StepFailure, toStepFailure } from "../errors.js";
import { type CurrentTask, type ProjectInfo, setCurrentTask } from "../flow/current.js";
import type { StepDecorator } from "../flow/decorators.js";
import { projectInfoOf, projectOf } from "../flow/project.js";
import type { FlowSpec, StepSpec } from "../flow/types.js";
import { buildGraph } from "../graph/flow-graph.js";
import { redact } from "../util/redact.js";
import { ArtifactScope, inputView } from "./artifact-scope.js";
import { deriveTask } from "./derive-task.js";
import { foreachItems } from "./foreach-items.js";
import { withFrozenParameterHint } from "./frozen-parameter-hint.js";
import { mapStack } from "./source-map-stack.js";
import { stalledFailure, watchForStall } from "./step-stall.js";
import { runWithTimeout, timeoutFailure, timeoutNotice, timeoutSeconds } from "./step-timeout.js";
import { chooseCase, type SwitchChoice } from "./switch-case.js";
import { openTaskCards } from "./task-cards-setup.js";
import { TASK_EXIT } from "./task-exit.js";
import { type ForeachLimit, type TaskSpec, taskPathspec } from "./task-spec.js";

export { TASK_EXIT };

interface LoadedInput {
  path: string;
  step: string;
  artifacts: Record<string, ArtifactRef>;
}

/** What an attempt knows once it has started: its step, store, parameters and inputs. */
interface StartedAttempt {
  flow: FlowSpec;
  spec: TaskSpec;
  step: StepSpec;
  store: FlowStore;
  parameters: Record<string, ArtifactRef>;
  tags: string[];
  inputs: LoadedInput[];
  /** The artifacts a step that is not a join carries on from its one input. */
  inherited: Record<string, ArtifactRef>;
  /** The innermost foreach this task is an item of. */
  frame: ForeachFrame | undefined;
}

/**
 * Records the end of the attempt; `executeTask` builds it once the cards are open. False when
 * the runtime recorded the end first.
 */
type EndAttempt = (fields: Omit<AttemptEndRecord, "attempt" | "endedAt">) => Promise<boolean>;

type CatchOptions = Extract<StepDecorator, { kind: "catch" }>["options"];

async function loadInputs(store: FlowStore, spec: TaskSpec, paths: string[]): Promise<LoadedInput[]> {
  return Promise.all(
    paths.map(async (path) => {
      const [runId, step, taskId] = path.split("/") as [string, string, string];
      const end = await store.readSuccessfulEnd(runId, step, taskId);
      if (!end) {
        throw new FlowshipError(
          "FS_TASK_INPUT_MISSING",
          `Input task '${spec.flow}/${path}' of step '${spec.step}' has no successful attempt.`,
        );
      }
      return { path, step, artifacts: end.artifacts };
    }),
  );
}

/** Stores assigned artifacts, and inherited ones that step code changed in place. */
async function persistArtifacts(
  scope: ArtifactScope,
  content: ContentStore,
  step: string,
): Promise<Record<string, ArtifactRef>> {
  const result: Record<string, ArtifactRef> = { ...scope.options.parameters, ...scope.options.inherited };
  for (const [name, ref] of scope.adopted) result[name] = ref;
  for (const [name, value] of scope.loaded) {
    // Parameters are frozen when read and never stored again: they stay what the run was given.
    if (typeof value !== "object" || value === null || scope.isParameter(name)) continue;
    const ref = await content.put(encodeArtifact(name, step, value));
    result[name] = ref;
  }
  for (const [name, value] of scope.assigned) {
    result[name] = await content.put(encodeArtifact(name, step, value));
  }
  return result;
}

/** flowship's own errors (an unstorable artifact, a bad foreach) fail the same way every time. */
function failureOf(error: unknown): StepFailure {
  const failure = toStepFailure(error);
  if (failure.stack) failure.stack = mapStack(failure.stack);
  // The failure is stored (and shown by `logs`, the Client API and catchError's artifact): a
  // secret the error happens to mention must not go with it.
  const secrets = secretValues();
  failure.message = redact(failure.message, secrets);
  if (failure.stack) failure.stack = redact(failure.stack, secrets);
  // Only flowship's own errors have a code; the thrown value is not read again (a Proxy may throw).
  return failure.code ? { ...failure, retryable: false } : failure;
}

/**
 * Executes the attempt described by `spec` for `flow`. Returns the process exit code; every
 * outcome, including a failure, is recorded in the datastore first.
 */
export async function executeTask(flow: FlowSpec, spec: TaskSpec): Promise<number> {
  const attempt = await startAttempt(flow, spec);
  const { step, store, parameters } = attempt;
  const item = attempt.frame ? foreachInput(attempt, attempt.frame) : undefined;
  const scope = artifactScopeOf(attempt, item);
  const { cards, ended } = openTaskCards({ flow, step, spec, store, parameters, ...(item ? { item } : {}) });
  setCurrentTask(currentTaskOf(attempt, cards.card()));

  // The cards are written final before the end record: whoever sees the attempt ended sees its last cards.
  const end: EndAttempt = async (fields) => {
    ended(fields.artifacts);
    await cards.finish(fields.status === "failed" ? { failure: fields.failure } : {});
    return store.writeAttemptEnd(spec.runId, spec.step, spec.taskId, {
      attempt: spec.attempt,
      endedAt: new Date().toISOString(),
      ...fields,
    });
  };

  const failure = spec.fallbackReason
    ? await earlierFailure(store, spec)
    : await runStepFunction(attempt, scope);
  const lastAttempt = spec.attempt + 1 >= spec.maxAttempts || (failure !== undefined && !failure.retryable);
  const catcher = spec.decorators.find((d) => d.kind === "catch");
  if (failure && catcher?.kind === "catch" && lastAttempt) {
    await recordCaught(attempt, scope, failure, catcher.options, end);
    return TASK_EXIT.ok;
  }
  return recordEnd(attempt, scope, failure, end);
}

/**
 * Looks up the step, records the attempt's start and reads what it works on: the run's
 * parameters and its input tasks' artifacts, fetched together ahead of the step's code.
 */
async function startAttempt(flow: FlowSpec, spec: TaskSpec): Promise<StartedAttempt> {
  const storage = await openStorage(spec.datastore);
  const store = new FlowStore({ storage, flow: spec.flow });
  const step = flow.steps.find((s) => s.name === spec.step);
  if (!step) {
    throw new FlowshipError(
      "FS_TASK_UNKNOWN_STEP",
      `Flow '${flow.name}' has no step '${spec.step}'; was the code changed?`,
    );
  }
  // A join of a wide foreach gets no input list (it would not fit in a process's environment):
  // the inputs follow from the graph and the task id.
  const inputPaths =
    spec.inputs ?? (await deriveTask(store, buildGraph(flow), spec.runId, spec.step, spec.taskId)).inputs;
  await store.writeAttemptStart(spec.runId, spec.step, spec.taskId, {
    attempt: spec.attempt,
    startedAt: new Date().toISOString(),
    host: os.hostname(),
    inputs: inputPaths,
    foreachStack: spec.foreachStack,
    ...(spec.fallbackReason ? { fallback: true } : {}),
  });
  const run = spec.parameters && spec.tags ? undefined : await store.readRun(spec.runId);
  const parameters = spec.parameters ?? run?.parameters ?? {};
  const inputs = await loadInputs(store, spec, inputPaths);
  const inherited = step.join || inputs.length === 0 ? {} : inputs[0]!.artifacts;
  const frame = spec.foreachStack.at(-1);
  await store.content.prefetch([
    ...Object.values(parameters),
    ...inputs.flatMap((i) => Object.values(i.artifacts)),
    // The list a foreach fanned out over: after a split and join inside the body, or once the
    // body reassigned the variable, it is no longer among the inherited artifacts.
    ...(frame?.items ? [frame.items] : []),
  ]);
  const tags = spec.tags ?? run?.tags ?? [];
  return { flow, spec, step, store, parameters, tags, inputs, inherited, frame };
}

/** The foreach item this task works on (`self.input`), read when asked for. */
function foreachInput(attempt: StartedAttempt, frame: ForeachFrame): () => unknown {
  const { flow, store, inherited } = attempt;
  return () => {
    const foreachStep = flow.steps.find((s) => s.name === frame.step)!;
    const ref = frame.items ?? inherited[foreachStep.foreach!];
    const items = ref ? store.content.get(ref, `foreach items of step '${frame.step}'`) : undefined;
    return foreachItems(items, foreachStep, undefined)[frame.index];
  };
}

/** The `self` of the step's code: its parameters, inherited artifacts and foreach item. */
function artifactScopeOf(attempt: StartedAttempt, item: (() => unknown) | undefined): ArtifactScope {
  const { flow, step, inputs, frame } = attempt;
  return new ArtifactScope({
    store: attempt.store.content,
    step: step.name,
    parameters: attempt.parameters,
    declaredParameters: new Set(flow.parameters.map((p) => p.name)),
    inherited: attempt.inherited,
    ...(step.join ? { joinInputArtifacts: new Set(inputs.flatMap((i) => Object.keys(i.artifacts))) } : {}),
    ...(frame && item ? { index: frame.index, input: item } : {}),
  });
}

/** What `current` tells the step's code about its task. */
function currentTaskOf(attempt: StartedAttempt, card: CurrentTask["card"]): CurrentTask {
  const { flow, spec, store } = attempt;
  return {
    card,
    flowName: spec.flow,
    runId: spec.runId,
    stepName: spec.step,
    taskId: spec.taskId,
    retryCount: spec.attempt,
    namespace: spec.namespace,
    username: spec.user,
    isProduction: spec.production,
    pathspec: taskPathspec(spec),
    ...(spec.originRunId ? { originRunId: spec.originRunId } : {}),
    ...(spec.scheduledTime ? { scheduledTime: spec.scheduledTime } : {}),
    tags: attempt.tags,
    ...projectInfo(flow, spec.projectBranch),
    parameterNames: flow.parameters.map((p) => p.name),
    foreachStack: spec.foreachStack.map((level) => ({
      step: level.step,
      var: flow.steps.find((s) => s.name === level.step)?.foreach ?? level.var ?? "",
      index: level.index,
      numSplits: level.numSplits,
      value: async () => {
        const foreachStep = flow.steps.find((s) => s.name === level.step)!;
        if (!level.items) return undefined;
        await store.content.prefetch([level.items]);
        const items = store.content.get(level.items, `foreach items of step '${level.step}'`);
        return foreachItems(items, foreachStep, undefined)[level.index];
      },
    })),
  };
}

/** Calls the step's function within its timeout; the failure it ended with, if any. */
async function runStepFunction(
  attempt: StartedAttempt,
  scope: ArtifactScope,
): Promise<StepFailure | undefined> {
  const { spec, step, store, inputs } = attempt;
  const seconds = timeoutSeconds(spec.decorators);
  const stall = watchForStall();
  try {
    // Called as a plain function: its stack frame reads `at start (flow.ts:3:5)`, not `at Object.start [as fn]`.
    const fn = step.fn;
    const running = runWithTimeout(() => {
      if (!step.join) return fn(scope.self);
      const views = inputs.map((i) => inputView(store.content, `${spec.flow}/${i.path}`, i.artifacts));
      const joinInputs = Object.assign(
        [...views],
        Object.fromEntries(inputs.map((input, i) => [input.step, views[i]])),
      );
      return fn(scope.self, Object.freeze(joinInputs));
    }, seconds);
    const outcome = await Promise.race([running, stall.stalled]);
    if (outcome === "stalled") {
      // Its code can run no more (nothing is pending), but what it assigned so far is kept.
      scope.close();
      return stalledFailure(step.name);
    }
    if (outcome === "timedOut") {
      // The step's code may still run (a pending await): what it assigns from now on is not stored.
      scope.close();
      process.stderr.write(`${timeoutNotice(step.name, seconds!)}\n`);
      return timeoutFailure(seconds!);
    }
    return undefined;
  } catch (error) {
    return withFrozenParameterHint(failureOf(error), error, scope.frozenParametersRead());
  } finally {
    stall.stop();
  }
}

/** catchError on the last attempt: the failure is stored as the step's artifact and the attempt succeeds. */
async function recordCaught(
  attempt: StartedAttempt,
  scope: ArtifactScope,
  failure: StepFailure,
  options: CatchOptions,
  end: EndAttempt,
): Promise<void> {
  const { step } = attempt;
  if (options.printException) {
    process.stderr.write(
      `catchError caught a failure of step '${step.name}': ${failure.stack ?? failure.message}\n`,
    );
  }
  if (options.var)
    scope.assign(options.var, {
      type: failure.type,
      message: failure.message,
      stack: failure.stack,
    });
  const artifacts = await persistArtifacts(scope, attempt.store.content, step.name);
  await end({ status: "succeeded", caught: true, artifacts, failure });
}

/**
 * Stores the artifacts and records the end: the failure, or the success with its foreach width
 * and switch choice. Returns the exit code.
 */
async function recordEnd(
  attempt: StartedAttempt,
  scope: ArtifactScope,
  failure: StepFailure | undefined,
  end: EndAttempt,
): Promise<number> {
  const { spec, step } = attempt;
  try {
    const artifacts = await persistArtifacts(scope, attempt.store.content, step.name);
    if (failure) {
      await end({ status: "failed", artifacts, failure });
      reportFailure(spec, failure);
      return failure.retryable ? TASK_EXIT.failed : TASK_EXIT.noRetry;
    }
    const foreach = foreachOutcome(step, scope, spec.foreachLimit);
    const choice = switchOutcome(step, scope);
    await end({
      status: "succeeded",
      artifacts,
      ...(foreach ? { foreach } : {}),
      ...(choice ? { switch: choice } : {}),
    });
    return TASK_EXIT.ok;
  } catch (error) {
    // Storing artifacts, the foreach check or the switch's choice failed: record what we can, without artifacts.
    const stored = failure ?? failureOf(error);
    await end({ status: "failed", artifacts: {}, failure: stored });
    reportFailure(spec, stored);
    return stored.retryable ? TASK_EXIT.failed : TASK_EXIT.noRetry;
  }
}

/** A foreach step's fan-out, checked as the step ends. */
function foreachOutcome(
  step: StepSpec,
  scope: ArtifactScope,
  limit: ForeachLimit | undefined,
): AttemptEndRecord["foreach"] {
  if (step.foreach === undefined) return undefined;
  if (!scope.has(step.foreach)) {
    throw new FlowshipError(
      "FS_FOREACH_ITEMS_MISSING",
      `Step '${step.name}' fans out over 'self.${step.foreach}', but neither it nor an earlier step set it.`,
    );
  }
  const items = foreachItems(scope.read(step.foreach), step, limit);
  return { var: step.foreach, numSplits: items.length };
}

/** A switch step's chosen case. */
function switchOutcome(step: StepSpec, scope: ArtifactScope): SwitchChoice | undefined {
  if (step.cases === undefined) return undefined;
  const set = scope.has(step.condition!);
  return chooseCase(step, set, set ? scope.read(step.condition!) : undefined);
}

/**
 * What a fallback attempt records: the failure of the attempt before it (a timeout, a killed
 * process), as the runtime or the Batch entrypoint recorded it, else the reason it was given.
 */
async function earlierFailure(store: FlowStore, spec: TaskSpec): Promise<StepFailure> {
  const earlier =
    spec.attempt > 0
      ? await store.readAttemptEnd(spec.runId, spec.step, spec.taskId, spec.attempt - 1)
      : undefined;
  const failure =
    earlier?.status === "failed" && earlier.failure
      ? earlier.failure
      : { type: "TaskDied", message: spec.fallbackReason! };
  return { ...failure, retryable: false };
}

function reportFailure(spec: TaskSpec, failure: StepFailure): void {
  // flowship's own errors are complete sentences; a user's error is shown with its stack.
  const detail =
    failure.code !== undefined ? failure.message : (failure.stack ?? `${failure.type}: ${failure.message}`);
  process.stderr.write(`Step '${spec.step}' failed: ${detail}\n`);
}

/** `current.project` of a flow with a project, run in `branch`. */
function projectInfo(flow: FlowSpec, branch: string | undefined): { project?: ProjectInfo } {
  const project = projectOf(flow);
  return project === undefined || branch === undefined
    ? {}
    : { project: projectInfoOf({ project, branch }, flow.name) };
}
