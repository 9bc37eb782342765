/**
 * `Runner`: run and resume a flow locally from code, as `flowship <file> run` and `resume` do,
 * and get the finished run back through the Client API.
 *
 * The runtime runs in the caller's process, but the flow's steps do not: by default each task is a
 * fresh worker thread in a task host process of its own (docs/runtime.md, "Isolation"), which dies
 * with the caller. So the caller keeps its globals, its module state and its crashes apart from the
 * flow's without a second Node process per run, and gets typed values in and real FlowshipErrors
 * (with their FS_* codes) out, which a CLI child process could only hand back as text. Unlike the
 * CLI, a Runner leaves SIGINT and SIGTERM to its caller: a run stops through its AbortSignal.
 */

import { loopIterationsThatFit } from "../aws/compile/loop-bounds.js";
import type { Run } from "../client/run.js";
import { checkTag } from "../client/run-tags.js";
import { currentUser, defaultIsolation, defaultMaxWorkers } from "../config.js";
import { FlowStore } from "../datastore/flow-store.js";
import {
  codeCacheRoot,
  type DatastoreLocation,
  openStorage,
  resolveDatastore,
} from "../datastore/open-storage.js";
import { checkRunId } from "../datastore/pathspec.js";
import { FlowshipError } from "../errors.js";
import type { StepDecorator } from "../flow/decorators.js";
import type { ParametersOf, StepsOf } from "../flow/flow-builder.js";
import { resolveBranch } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";
import type { FlowGraph } from "../graph/flow-graph.js";
import { validateFlow } from "../graph/validate.js";
import type { RunOptions } from "../run/run-options.js";
import { LocalRun, type RunResult } from "../runtime/local-run.js";
import { ISOLATIONS, type Isolation } from "../task/task-attempt.js";
import { checkThreadSettings } from "../task/task-thread.js";
import { badOption, branchOptionNames, choiceOption, wholeOption, withDecorators } from "./check-options.js";
import { API_ERROR_CODES, ApiUsageError, RunFailedError } from "./errors.js";
import { ExecutingRun, LogBuffer } from "./executing-run.js";
import { type FlowInput, loadFlowInput } from "./flow-source.js";
import { givenValues, type RunArtifacts, type WithoutParameters } from "./parameters.js";

export interface RunnerOptions {
  /**
   * Where runs are stored: a local folder, or `s3://bucket/prefix` for the S3 datastore.
   * @default FLOWSHIP_DATASTORE_ROOT (or FLOWSHIP_S3_ROOT with FLOWSHIP_DATASTORE=s3), else ./.flowship
   */
  datastoreRoot?: string;
  /** Variables every task gets on top of this process's environment; a step's `environment` decorator wins. @default {} */
  env?: Record<string, string>;
  /** Most tasks running at once. @default FLOWSHIP_MAX_WORKERS, else 16 */
  maxWorkers?: number;
  /** Most items one foreach may have. @default 1,000,000 */
  maxForeachWidth?: number;
  /**
   * Most iterations of each loop: going back once more fails the run (the CLI's
   * `--max-loop-iterations`). @default as many as fit in one Step Functions execution (docs/authoring.md)
   */
  maxLoopIterations?: number;
  /** What keeps tasks apart (docs/runtime.md). @default FLOWSHIP_ISOLATION, else "host" */
  isolation?: Isolation;
  /** Tags of every run this Runner starts. @default [] */
  tags?: readonly string[];
  /** Decorators added to every step that has none of their kind, as `--with`: `retry({ times: 2 })` or `"retry:times=2"`. @default [] */
  with?: readonly (StepDecorator | string)[];
  /** For a flow with a project: the branch to run in. @default the user's own, user.<name> */
  branch?: string;
  /** For a flow with a project: run in its production branch. @default false */
  production?: boolean;
  /** Also print the run's output here, as the CLI does; it is kept for `logs()` either way. @default false */
  showOutput?: boolean;
}

/** Options of one call. */
export interface RunCallOptions {
  /** Aborting it stops the run: running tasks are killed, and the run ends with FS_RUN_CANCELLED. */
  signal?: AbortSignal;
}

/** Options of `resume()`. */
export interface ResumeOptions<F = FlowSpec> extends RunCallOptions {
  /** The run to resume: its id. @default the latest run started with `run` */
  origin?: string;
  /** Run again from this step: one of the flow's, checked by TypeScript when the flow object is given. @default the first step that did not succeed */
  step?: StepsOf<F>;
}

/**
 * Runs a flow locally. Given the flow object, parameters are checked by TypeScript against its
 * declaration and the run comes back typed by its artifacts.
 *
 * @example
 * import { Runner } from "flowship/api";
 * import parameterFlow from "./parameter_flow.js";
 *
 * const run = await new Runner(parameterFlow, { datastoreRoot: "/tmp/runs" }).run({ alpha: 0.5 });
 * console.log(run.id, await run.data?.alpha);
 */
export class Runner<F extends FlowSpec = FlowSpec> {
  readonly #flow: FlowInput;
  readonly #options: RunnerOptions;

  /** @param flow the flow object (`export default flow(…)` of a module of its own), or its file's path */
  constructor(flow: F | string, options: RunnerOptions = {}) {
    this.#flow = flow;
    this.#options = options;
  }

  /** Runs the flow to its end: the finished run, or a RunFailedError (`error.run` is the failed run). */
  run(parameters: ParametersOf<F>, options?: RunCallOptions): Promise<Run<RunArtifacts<F>>>;
  /** Without parameters: only for a flow whose parameters all have defaults (the type error names those missing). */
  run(
    this: WithoutParameters<F, "run">,
    parameters?: undefined,
    options?: RunCallOptions,
  ): Promise<Run<RunArtifacts<F>>>;
  async run(parameters?: object, options?: RunCallOptions): Promise<Run<RunArtifacts<F>>> {
    return (await this.#start({ parameters, keepLogs: false }, options)).wait();
  }

  /** Starts the flow and returns once the run is recorded: follow it with `logs()`, `status`, `wait()`. */
  runAsync(parameters: ParametersOf<F>, options?: RunCallOptions): Promise<ExecutingRun<RunArtifacts<F>>>;
  /** Without parameters: only for a flow whose parameters all have defaults (the type error names those missing). */
  runAsync(
    this: WithoutParameters<F, "runAsync">,
    parameters?: undefined,
    options?: RunCallOptions,
  ): Promise<ExecutingRun<RunArtifacts<F>>>;
  runAsync(parameters?: object, options?: RunCallOptions): Promise<ExecutingRun<RunArtifacts<F>>> {
    return this.#start({ parameters, keepLogs: true }, options);
  }

  /** Starts a new run that reuses the successful tasks of `origin` and runs the rest with the current code. */
  async resume(options: ResumeOptions<F> = {}): Promise<Run<RunArtifacts<F>>> {
    return (await this.#start({ resume: options, keepLogs: false }, options)).wait();
  }

  /** `resume()` that returns once the new run is recorded. */
  resumeAsync(options: ResumeOptions<F> = {}): Promise<ExecutingRun<RunArtifacts<F>>> {
    return this.#start({ resume: options, keepLogs: true }, options);
  }

  async #start(
    what: { parameters?: object | undefined; resume?: ResumeOptions; keepLogs: boolean },
    call: RunCallOptions = {},
  ): Promise<ExecutingRun<RunArtifacts<F>>> {
    checkCall(call, what.resume);
    const { runOptions, graph } = await this.#runOptions(what);
    const { flow, datastore } = runOptions;
    if (call.signal?.aborted) {
      throw new RunFailedError({
        pathspec: flow.name,
        reason: "its AbortSignal was aborted before it started",
        cancelled: true,
      });
    }
    const logs = new LogBuffer(what.keepLogs);
    let cancelled = false;
    let started: (runId: string) => void = () => {};
    const runId = new Promise<string>((resolve) => {
      started = resolve;
    });
    const run = new LocalRun(
      {
        ...runOptions,
        onStart: started,
        print: (text, stream) => {
          logs.push({ stream, text });
          if (this.#options.showOutput)
            (stream === "stdout" ? process.stdout : process.stderr).write(`${text}\n`);
        },
      } satisfies RunOptions,
      graph,
    );
    const cancel = (reason: string) => {
      cancelled = true;
      run.cancel(reason);
    };
    const onAbort = () => cancel(abortedReason(call.signal?.reason));
    call.signal?.addEventListener("abort", onAbort, { once: true });
    const result: Promise<RunResult> = run.execute().finally(() => {
      call.signal?.removeEventListener("abort", onAbort);
      logs.end();
    });
    // Until the run is recorded, a failure (a bad parameter value, an unreadable datastore) is
    // the caller's error, thrown here.
    const id = await Promise.race([runId, result.then(() => runId)]);
    return new ExecutingRun<RunArtifacts<F>>({
      flow: flow.name,
      runId: id,
      datastore,
      logs,
      result,
      cancel,
      cancelled: () => cancelled,
    });
  }

  /**
   * The Runner's options checked and turned into a local run's, the flow loaded and validated:
   * everything but the run's output and its start, which #start wires to the ExecutingRun.
   */
  async #runOptions(what: {
    parameters?: object | undefined;
    resume?: ResumeOptions;
  }): Promise<{ runOptions: Omit<RunOptions, "onStart" | "print">; graph: FlowGraph }> {
    const options = this.#options;
    const maxWorkers = wholeOption(CALL, "maxWorkers", options.maxWorkers, 1) ?? maxWorkersFromEnv();
    const maxForeachWidth = wholeOption(CALL, "maxForeachWidth", options.maxForeachWidth, 1);
    const maxLoopIterations = wholeOption(CALL, "maxLoopIterations", options.maxLoopIterations, 1);
    const isolation = isolationOf(options.isolation);
    const tags = listOption("tags", options.tags).map(checkTag);
    const decorators = withDecorators(listOption("with", options.with));
    // An empty root is no root, as for the CLI and simulate(): not the current folder.
    const datastore = resolveDatastore(options.datastoreRoot ? { root: options.datastoreRoot } : {});
    const { flow, compiled } = await loadFlowInput(this.#flow, {
      codeRoot: codeCacheRoot(datastore),
      withS3: datastore.kind === "s3",
    });
    const graph = validateFlow(flow);
    // Loops stop where a deployed run's would, as the CLI's run does.
    const fit = maxLoopIterations === undefined ? await loopIterationsThatFit(graph, decorators) : undefined;
    const project = resolveBranch(flow, options, currentUser(), branchOptionNames(CALL));
    // A resumed run takes its origin's parameters: none is given.
    const given = what.resume ? { text: {}, json: {} } : givenValues(flow, what.parameters);
    const resume = what.resume ? await resumeOrigin(flow, datastore, what.resume) : undefined;
    const runOptions = {
      flow,
      compiled,
      datastore,
      maxWorkers,
      ...(maxForeachWidth === undefined ? {} : { maxForeachWidth }),
      ...(maxLoopIterations === undefined ? {} : { maxLoopIterations }),
      ...(fit ? { loopIterationsThatFit: fit } : {}),
      isolation,
      tags,
      ...(project ? { project } : {}),
      withDecorators: decorators,
      parameterText: given.text,
      parameterValues: given.json,
      taskEnv: { ...options.env },
      ...(resume ? { resume } : {}),
      handleSignals: false,
      batch: async () => (await import("../aws/run-with-batch/batch-launcher.js")).createBatchLauncher,
    };
    return { runOptions, graph };
  }
}

/** How messages name the Runner's options. */
const CALL = "new Runner()";

function maxWorkersFromEnv(): number {
  const value = defaultMaxWorkers();
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < 1) {
    throw new ApiUsageError(
      API_ERROR_CODES.badOption,
      `Invalid maxWorkers in FLOWSHIP_MAX_WORKERS, the default of option maxWorkers of ${CALL}: '${value}'. Give a whole number of 1 or more, or the option.`,
    );
  }
  return Number(value);
}

function isolationOf(given: string | undefined): Isolation {
  const value = choiceOption(CALL, "isolation", given, ISOLATIONS) ?? defaultIsolation();
  if (!(ISOLATIONS as readonly string[]).includes(value)) {
    throw new ApiUsageError(
      API_ERROR_CODES.badOption,
      `Invalid isolation in FLOWSHIP_ISOLATION, the default of option isolation of ${CALL}: '${value}'. Give ${ISOLATIONS.join(", ")}, or the option.`,
    );
  }
  if (value === "thread") checkThreadSettings();
  return value as Isolation;
}

/** A list option as given, or an FS_API_OPTION error for what a JavaScript caller passed instead. */
function listOption<T>(option: string, value: readonly T[] | undefined): readonly T[] {
  if (value !== undefined && !Array.isArray(value)) throw badOption(CALL, option, value, "a list");
  return value ?? [];
}

/** The options of one call, as a JavaScript caller may pass them: a signal that is one, an origin that is text. */
function checkCall(call: RunCallOptions, resume: ResumeOptions | undefined): void {
  const name = resume ? "resume()" : "run()";
  if (call instanceof AbortSignal) {
    throw new ApiUsageError(
      API_ERROR_CODES.badOption,
      `Invalid options of ${name}: an AbortSignal. Give it as { signal }, e.g. ${name.replace("()", "(parameters, { signal })")}.`,
    );
  }
  if (call.signal !== undefined && !(call.signal instanceof AbortSignal)) {
    throw badOption(name, "signal", call.signal, "an AbortSignal");
  }
  if (resume?.origin !== undefined && typeof resume.origin !== "string") {
    throw badOption(name, "origin", resume.origin, "a run id, as text");
  }
}

/**
 * Why a run stopped through its signal: the reason its caller gave (`abort(reason)`, a timeout's),
 * not the bare "This operation was aborted" of `abort()`.
 */
function abortedReason(reason: unknown): string {
  const given =
    reason instanceof Error
      ? reason.name === "AbortError"
        ? undefined
        : reason.message
      : reason === undefined
        ? undefined
        : String(reason);
  return `cancelled by its AbortSignal${given ? `: ${given}` : ""}`;
}

/** The run to resume, checked: the one given, else the flow's latest. */
async function resumeOrigin(
  flow: FlowSpec,
  datastore: DatastoreLocation,
  options: ResumeOptions,
): Promise<{ originRunId: string; step?: string }> {
  const store = new FlowStore({ storage: await openStorage(datastore), flow: flow.name });
  const originRunId = options.origin === undefined ? await store.readLatestRun() : checkRunId(options.origin);
  if (!originRunId) {
    throw new FlowshipError(
      "FS_RESUME_NO_ORIGIN",
      `Cannot resume: flow '${flow.name}' has no earlier run in ${datastore.root}; pass resume({ origin: runId }).`,
    );
  }
  return { originRunId, ...(options.step === undefined ? {} : { step: options.step }) };
}
