import type { DatastoreLocation } from "../datastore/open-storage.js";
import type { StepDecorator } from "../flow/decorators.js";
import type { ProjectBranch } from "../flow/project.js";
import type { FlowSpec, StepSpec } from "../flow/types.js";
import type { Isolation } from "../task/task-attempt.js";
import type { ForeachLimit } from "../task/task-spec.js";
import type { BatchLauncherFactory } from "./batch-launcher-types.js";
import type { CompiledFlow } from "./compile-flow.js";

export interface RunOptions {
  flow: FlowSpec;
  compiled: CompiledFlow;
  /** Where the run is stored: a local folder or S3. */
  datastore: DatastoreLocation;
  /** Most tasks running at once, 1 or more. @default 16 */
  maxWorkers: number;
  /**
   * Most items one foreach may have; a longer list fails its foreach step before any item runs.
   * @default 1,000,000 (DEFAULT_LOCAL_MAX_FOREACH_WIDTH)
   */
  maxForeachWidth?: number;
  /**
   * Most iterations every loop may run each time it is entered (`--max-loop-iterations`); a loop
   * going back once more fails the run. @default each loop's `loopIterationsThatFit`, else
   * DEFAULT_LOCAL_MAX_LOOP_ITERATIONS
   */
  maxLoopIterations?: number;
  /**
   * By loop header: the iterations that fit in one Step Functions execution's history, as
   * `step-functions create` computes them (the CLI passes them; the runtime never imports aws/).
   */
  loopIterationsThatFit?: Readonly<Record<string, number>>;
  /**
   * What keeps attempts apart: a fresh worker thread each in a reused task host process ("host"),
   * an OS process each, or a worker thread each in the runtime. @default "host"
   */
  isolation?: Isolation;
  tags: string[];
  /** For a flow with a project: the branch the run is in. @default the user's own, user.<name> */
  project?: ProjectBranch;
  /** Decorators from `--with`, added to every step that does not set the same kind. */
  withDecorators: StepDecorator[];
  /** Parameter values as typed on the command line (or read from FLOWSHIP_RUN_<NAME>). */
  parameterText: Record<string, string>;
  /** Where values not typed on the command line came from, for error messages. */
  parameterSources?: Record<string, string>;
  /**
   * Values that arrived typed (the programmatic API's `run({ alpha: 0.5 })`), checked against the
   * parameters' types; a name in both wins here. @default {}
   */
  parameterValues?: Record<string, unknown>;
  /** Variables every task gets on top of this process's environment (a step's `environment` wins). @default {} */
  taskEnv?: Record<string, string>;
  /** Called once the run is recorded, with its id, before any task starts. */
  onStart?: (runId: string) => void;
  /**
   * Stop the run on SIGINT and SIGTERM, recording it as interrupted. The CLI does; a library
   * caller keeps its signals (it stops a run with `LocalRun.cancel`). @default true
   */
  handleSignals?: boolean;
  /** File that receives the run id as soon as the run starts. */
  runIdFile?: string;
  /** The fire time the run stands for (ISO 8601): `current.scheduledTime`. */
  scheduledTime?: string;
  /** Resume: the run to clone from, and the step from which to run again. */
  resume?: { originRunId: string; step?: string };
  /**
   * Loads the launcher of Batch steps (`run --with batch`, `batch()`): a lazy import the CLI
   * passes, so the runtime never imports aws/ and local runs never load the AWS SDK.
   */
  batch?: () => Promise<BatchLauncherFactory>;
  /** Console output; defaults to process.stdout/stderr. */
  print?: (line: string, stream: "stdout" | "stderr") => void;
}

/**
 * Each foreach item is a task with its own records and, locally, its own process or thread: a
 * list this long is far more likely a mistake (a string's characters, a whole table) than a plan.
 */
export const DEFAULT_LOCAL_MAX_FOREACH_WIDTH = 1_000_000;

/** The width check a local run gives its foreach tasks. */
export function localForeachLimit(maxForeachWidth: number | undefined): ForeachLimit {
  return {
    maxWidth: maxForeachWidth ?? DEFAULT_LOCAL_MAX_FOREACH_WIDTH,
    why:
      maxForeachWidth === undefined
        ? "a local run allows by default"
        : "this run allows (--max-foreach-width)",
    remedy: "Pass fewer items, or run with a larger --max-foreach-width.",
  };
}

/** The bound of a loop whose Step Functions bound is unknown (the flow cannot be compiled for it). */
export const DEFAULT_LOCAL_MAX_LOOP_ITERATIONS = 10_000;

/** How many iterations the loop headed by `header` may run each time it is entered, and why. */
export function localLoopLimit(
  options: Pick<RunOptions, "maxLoopIterations" | "loopIterationsThatFit">,
  header: string,
): { max: number; why: string } {
  if (options.maxLoopIterations !== undefined) {
    return { max: options.maxLoopIterations, why: "the most this run allows (--max-loop-iterations)" };
  }
  const fit = options.loopIterationsThatFit?.[header];
  if (fit !== undefined) {
    return {
      max: fit,
      why: "as many as fit in one Step Functions execution, which is where a local run stops too (see step-functions create)",
    };
  }
  return { max: DEFAULT_LOCAL_MAX_LOOP_ITERATIONS, why: "the most a local run allows by default" };
}

export function effectiveDecorators(step: StepSpec, added: readonly StepDecorator[]): StepDecorator[] {
  const own = new Set(step.decorators.map((d) => d.kind));
  // `--with catchError` skips foreach and switch steps, as on Step Functions (step-task.ts): a
  // caught failure there has no items to fan out over, no case to go to.
  const fansOrChooses = step.foreach !== undefined || step.cases !== undefined;
  return [
    ...step.decorators,
    ...added.filter((d) => !own.has(d.kind) && !(d.kind === "catch" && fansOrChooses)),
  ];
}
