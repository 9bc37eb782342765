/**
 * What starts one attempt of a task, built the same way by both drivers (the local runtime and
 * the Batch entrypoint): its TaskSpec, from the run's record and the step's decorators, and the
 * options of whatever runs it (a process, a thread, a task host, a Batch job).
 */
import type { DatastoreLocation } from "../datastore/open-storage.js";
import type { ForeachFrame, RunRecord } from "../datastore/records-types.js";
import type { StepDecorator } from "../flow/decorators.js";
import { branchOfRun } from "../flow/project.js";
import type { TaskAttemptOptions } from "./task-attempt.js";
import type { ForeachLimit, TaskSpec } from "./task-spec.js";

/** The facts of one attempt that its TaskSpec is built from. */
export interface TaskSpecFacts {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
  attempt: number;
  /** The step's decorators, including those added with `--with` or at deployment. */
  decorators: StepDecorator[];
  /** `run/step/task` of the input tasks; absent when the task derives them itself. */
  inputs?: string[];
  foreachStack: ForeachFrame[];
  datastore: DatastoreLocation;
  run: Pick<
    RunRecord,
    "parameters" | "tags" | "namespace" | "user" | "systemTags" | "originRunId" | "scheduledTime"
  >;
  /** @default whether the run's namespace is a production one */
  production?: boolean;
  foreachLimit?: ForeachLimit;
  fallbackReason?: string;
}

/** Characters of parameters and tags a task spec carries; Linux allows 128 KiB per variable. */
const MAX_RUN_FACTS_CHARS = 32_000;

/**
 * The run's parameters and tags for a task spec, when they are small enough to travel in one
 * environment variable; many parameters or long tags would not fit (E2BIG), and then the task
 * reads them from the run record instead.
 */
function runFactsForSpec(run: TaskSpecFacts["run"]): Pick<TaskSpec, "parameters" | "tags"> {
  const chars = JSON.stringify(run.parameters).length + JSON.stringify(run.tags).length;
  return chars < MAX_RUN_FACTS_CHARS ? { parameters: run.parameters, tags: run.tags } : {};
}

/** The spec's `projectBranch`, from the run's system tags. */
function projectBranchForSpec(systemTags: readonly string[]): Pick<TaskSpec, "projectBranch"> {
  const branch = branchOfRun(systemTags);
  return branch ? { projectBranch: branch } : {};
}

export function buildTaskSpec(facts: TaskSpecFacts): TaskSpec {
  const { run, decorators } = facts;
  const retry = decorators.find((d) => d.kind === "retry");
  return {
    flow: facts.flow,
    runId: facts.runId,
    step: facts.step,
    taskId: facts.taskId,
    attempt: facts.attempt,
    maxAttempts: retry?.kind === "retry" ? retry.options.times + 1 : 1,
    decorators,
    ...(facts.inputs ? { inputs: facts.inputs } : {}),
    foreachStack: facts.foreachStack,
    datastore: facts.datastore,
    ...runFactsForSpec(run),
    namespace: run.namespace,
    user: run.user,
    production: facts.production ?? run.namespace.startsWith("production:"),
    ...projectBranchForSpec(run.systemTags),
    ...(facts.foreachLimit ? { foreachLimit: facts.foreachLimit } : {}),
    ...(run.originRunId ? { originRunId: run.originRunId } : {}),
    ...(run.scheduledTime ? { scheduledTime: run.scheduledTime } : {}),
    ...(facts.fallbackReason ? { fallbackReason: facts.fallbackReason } : {}),
  };
}

/** What the options of an attempt are built from, besides its spec. */
export interface AttemptFacts {
  bundle: string;
  spec: TaskSpec;
  logFiles: TaskAttemptOptions["logFiles"];
  print: TaskAttemptOptions["print"];
  /** Variables every attempt gets; the step's `environment` decorator sets its own over them. */
  env?: Record<string, string>;
  mark?: string;
}

/**
 * The options of an attempt: its environment and timeout from the step's decorators, and the
 * prefix of its output lines, `[run/step/task]`, with `#attempt` on a retry.
 */
export function buildAttemptOptions(facts: AttemptFacts): TaskAttemptOptions {
  const { spec } = facts;
  const timeout = spec.decorators.find((d) => d.kind === "timeout");
  const environment = spec.decorators.find((d) => d.kind === "environment");
  return {
    bundle: facts.bundle,
    spec,
    env: {
      ...facts.env,
      ...(environment?.kind === "environment" ? environment.options.vars : {}),
    },
    logFiles: facts.logFiles,
    prefix: `[${spec.runId}/${spec.step}/${spec.taskId}${spec.attempt > 0 ? `#${spec.attempt}` : ""}]`,
    print: facts.print,
    ...(timeout?.kind === "timeout" ? { timeoutSeconds: timeout.options.seconds } : {}),
    ...(facts.mark ? { mark: facts.mark } : {}),
  };
}
