/**
 * The Task state of one step: a Batch job submitted and awaited (`submitJob.sync`), with the
 * step's decorators turned into Batch overrides, Retry and Catch. Between states only
 * `{ taskId }` travels: the Batch job description the integration returns is dropped, which
 * keeps every payload far below the 256 KB limit.
 */
import type { StepDecorator } from "../../flow/decorators.js";
import type { GraphNode } from "../../graph/flow-graph.js";
import { CONTAINER_TIMEOUT_MARGIN_SECONDS } from "../../task/step-timeout.js";
import { type Retrier, STATES_ERRORS } from "../asl/error-handling.js";
import type { JsonObject, PayloadTemplate } from "../asl/json.js";
import { TaskState } from "../asl/task-state.js";
import type { ResolvedCompileOptions } from "./compile-options.js";
import { fargateResources } from "./fargate-resources.js";
import type { ForeachPlan } from "./foreach-plan.js";
import { PARAMETERS_PATH, SCHEDULED_TIME_PATH } from "./input-states.js";
import { taskIdValue } from "./loop-states.js";
import { batchJobName, fallbackStateName } from "./naming.js";
import {
  ATTEMPT_ENV,
  checkUserEnvironment,
  dynamicEnv,
  type EnvironmentEntry,
  type ExecutionNamePath,
  fixedEnv,
  runIdEnv,
  TASK_ENV,
} from "./task-environment.js";

/** Where a caught error lands in the state input, for the fallback Task to read. */
export const FAILURE_PATH = "$.failure";

/**
 * Batch's transient API errors (throttling: SubmitJob admits about 50 jobs per second), retried
 * with exponential backoff and full jitter before any retry of the step's own.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#retrier-jitter
 */
export const BATCH_TRANSIENT_RETRY: Retrier = {
  errorEquals: ["Batch.AWSBatchException", "Batch.ServerException", "Batch.TooManyRequestsException"],
  intervalSeconds: 2,
  backoffRate: 2,
  maxAttempts: 8,
  maxDelaySeconds: 120,
  jitterStrategy: "FULL",
};

/**
 * Batch refuses attempt timeouts under 60 seconds; shorter `timeout` decorators are rounded up.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_JobTimeout.html
 */
export const MIN_BATCH_TIMEOUT_SECONDS = 60;

export interface StepTaskContext {
  flow: string;
  options: ResolvedCompileOptions;
  /** Where the step's state reads the execution name the run id is made of. */
  executionName: ExecutionNamePath;
  /** For a foreach step: how its body runs and how wide it may be. */
  foreach?: ForeachPlan;
  /** The flow has loops: every state keeps its input, where the loops' counts travel. */
  keepsInput: boolean;
}

/**
 * The step's decorators plus those given with `--with`, for kinds the step does not set itself.
 * `--with catchError` skips foreach and switch steps: a caught foreach would have no items to fan
 * out over, a caught switch no case to go to (the lint rules refuse both on the step itself); the
 * steps they lead to get it instead.
 */
export function stepDecorators(node: GraphNode, added: readonly StepDecorator[]): StepDecorator[] {
  const own = new Set(node.spec.decorators.map((d) => d.kind));
  const applies = (d: StepDecorator) =>
    !own.has(d.kind) && !(d.kind === "catch" && (node.type === "foreach" || node.type === "switch"));
  return [...node.spec.decorators, ...added.filter(applies)];
}

function find<K extends StepDecorator["kind"]>(
  decorators: readonly StepDecorator[],
  kind: K,
): Extract<StepDecorator, { kind: K }> | undefined {
  return decorators.find((d): d is Extract<StepDecorator, { kind: K }> => d.kind === kind);
}

/**
 * Outside any foreach and loop the task id is the constant "0"; inside a foreach it comes with
 * the input; on a loop, the loop's count is added (loop-states.ts).
 */
function taskIdEnv(node: GraphNode): EnvironmentEntry {
  const id = taskIdValue(node);
  return "fixed" in id ? fixedEnv(TASK_ENV.taskId, id.fixed) : dynamicEnv(TASK_ENV.taskId, id.expression);
}

function environment(
  node: GraphNode,
  decorators: readonly StepDecorator[],
  context: StepTaskContext,
): EnvironmentEntry[] {
  const entries = [
    runIdEnv(context.executionName),
    fixedEnv(TASK_ENV.step, node.name),
    taskIdEnv(node),
    ATTEMPT_ENV,
  ];
  // The input states guarantee `$.Parameters` and `$.ScheduledTime` are strings when the start step runs.
  if (node.name === "start") {
    entries.push(dynamicEnv(TASK_ENV.parameters, PARAMETERS_PATH));
    entries.push(dynamicEnv(TASK_ENV.scheduledTime, SCHEDULED_TIME_PATH));
  }
  if (context.foreach) {
    entries.push(fixedEnv(TASK_ENV.foreachMaxWidth, String(context.foreach.maxWidth)));
    entries.push(fixedEnv(TASK_ENV.foreachMode, context.foreach.mode));
  }
  const vars = find(decorators, "environment")?.options.vars ?? {};
  checkUserEnvironment(vars, { flow: context.flow, step: node.name });
  for (const [name, value] of Object.entries(vars)) entries.push(fixedEnv(name, value));
  return entries;
}

/**
 * `resources` → Batch resource requirements, which are strings: as given on EC2, the nearest valid
 * pair at or above them on Fargate.
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ResourceRequirement.html
 */
function resourceRequirements(
  node: GraphNode,
  context: StepTaskContext,
  decorators: readonly StepDecorator[],
): JsonObject[] | undefined {
  // A deployed step runs on Batch anyway: `batch({ cpu, memory, gpu })` sizes it like `resources`.
  const batch = find(decorators, "batch")?.options;
  const sized = find(decorators, "resources")?.options;
  if (!sized && batch?.cpu === undefined && batch?.memory === undefined && batch?.gpu === undefined)
    return undefined;
  const resources = {
    cpu: batch?.cpu ?? sized?.cpu ?? 1,
    memory: batch?.memory ?? sized?.memory ?? 4096,
    gpu: batch?.gpu ?? sized?.gpu ?? 0,
  };
  if (context.options.compute === "fargate") {
    const pair = fargateResources(resources, { flow: context.flow, step: node.name });
    return [
      { Type: "VCPU", Value: String(pair.vcpu) },
      { Type: "MEMORY", Value: String(pair.memory) },
    ];
  }
  return [
    { Type: "VCPU", Value: String(resources.cpu) },
    { Type: "MEMORY", Value: String(resources.memory) },
    ...(resources.gpu > 0 ? [{ Type: "GPU", Value: String(resources.gpu) }] : []),
  ];
}

/**
 * Batch's limit on a job of a step with `timeout`: the step's seconds plus a margin, since the task
 * in the container keeps the step's time itself and stores what a timed-out step assigned (Batch
 * stopping the container first would lose that).
 */
function attemptSeconds(decorators: readonly StepDecorator[]): number | undefined {
  const seconds = find(decorators, "timeout")?.options.seconds;
  return seconds === undefined
    ? undefined
    : Math.max(MIN_BATCH_TIMEOUT_SECONDS, Math.ceil(seconds) + CONTAINER_TIMEOUT_MARGIN_SECONDS);
}

/** @see https://docs.aws.amazon.com/step-functions/latest/dg/connect-batch.html */
function submitJob(
  node: GraphNode,
  context: StepTaskContext,
  env: EnvironmentEntry[],
  decorators: readonly StepDecorator[],
): PayloadTemplate {
  const resources = resourceRequirements(node, context, decorators);
  const seconds = attemptSeconds(decorators);
  return {
    JobName: batchJobName(context.flow, node.name),
    JobDefinition: context.options.jobDefinition,
    JobQueue: context.options.jobQueue,
    ContainerOverrides: { Environment: env, ...(resources ? { ResourceRequirements: resources } : {}) },
    ...(seconds === undefined ? {} : { Timeout: { AttemptDurationSeconds: seconds } }),
  };
}

/**
 * `retry({ times, minutesBetweenRetries })` → a retrier of failed jobs (`States.TaskFailed`)
 * and of the timeout guard (`States.Timeout`), with a fixed interval.
 */
function userRetry(decorators: readonly StepDecorator[]): Retrier[] {
  const retry = find(decorators, "retry")?.options;
  if (!retry || retry.times === 0) return [];
  return [
    {
      errorEquals: [STATES_ERRORS.taskFailed, STATES_ERRORS.timeout],
      intervalSeconds: Math.max(1, Math.ceil(retry.minutesBetweenRetries * 60)),
      maxAttempts: retry.times,
      backoffRate: 1,
    },
  ];
}

/**
 * Outside a foreach the output is the constant `{ taskId: "0" }`, which also drops whatever the
 * execution input carried; inside, the input (the iteration's `{ taskId }`) is passed on as is,
 * and so it is everywhere after `start` in a flow with loops, whose counts are in the input.
 */
function outputShape(
  node: GraphNode,
  context: StepTaskContext,
): { resultSelector?: PayloadTemplate; resultPath?: null } {
  return node.foreachDepth === 0 && !(context.keepsInput && node.name !== "start")
    ? { resultSelector: { taskId: "0" } }
    : { resultPath: null };
}

/** The step's Task state, and the fallback Task of a step with `catchError`. */
export function stepTaskStates(
  node: GraphNode,
  next: string | undefined,
  context: StepTaskContext,
): Array<[string, TaskState]> {
  const decorators = stepDecorators(node, context.options.withDecorators);
  const env = environment(node, decorators, context);
  const seconds = attemptSeconds(decorators);
  const resource = `arn:${context.options.partition}:states:::batch:submitJob.sync`;
  // Every Task has a time limit: a step's own `timeout` plus time to wait in the queue, else the
  // default task timeout, so a job that never starts fails its run instead of holding it.
  const timeoutSeconds =
    seconds === undefined
      ? context.options.taskTimeoutSeconds
      : seconds + context.options.queueTimeoutSeconds;
  const caught = find(decorators, "catch") !== undefined;
  const fallback = fallbackStateName(node.name);
  const step = new TaskState({
    resource,
    parameters: submitJob(node, context, env, decorators),
    ...outputShape(node, context),
    timeoutSeconds,
    retry: [BATCH_TRANSIENT_RETRY, ...userRetry(decorators)],
    ...(caught
      ? { catch: [{ errorEquals: [STATES_ERRORS.all], resultPath: FAILURE_PATH, next: fallback }] }
      : {}),
    ...(next === undefined ? {} : { next }),
  });
  if (!caught) return [[node.name, step]];
  const fallbackEnv = [
    ...env,
    fixedEnv(TASK_ENV.fallback, "1"),
    dynamicEnv(TASK_ENV.fallbackError, `${FAILURE_PATH}.Error`),
  ];
  const recorder = new TaskState({
    comment: `Records the failure of step '${node.name}' (catchError) so the flow can go on.`,
    resource,
    parameters: submitJob(node, context, fallbackEnv, decorators),
    // Replaces the caught error, whose Cause can be 32 KB, by a marker.
    ...(node.foreachDepth === 0 && !context.keepsInput
      ? { resultSelector: { taskId: "0" } }
      : { resultSelector: { recorded: true }, resultPath: FAILURE_PATH }),
    timeoutSeconds,
    retry: [BATCH_TRANSIENT_RETRY],
    ...(next === undefined ? {} : { next }),
  });
  return [
    [node.name, step],
    [fallback, recorder],
  ];
}
