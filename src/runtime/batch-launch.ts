/**
 * `run --with batch` and the `batch()` decorator: which steps of a local run are AWS Batch jobs,
 * and the launcher that starts them. The launcher itself lives in aws/run-with-batch/ and reaches
 * the runtime through `RunOptions.batch`, a lazy import the CLI passes in: the runtime never
 * imports aws/, and a run without Batch steps never loads the AWS SDK.
 */
import type { DatastoreLocation } from "../datastore/open-storage.js";
import { UsageError } from "../errors.js";
import type { BatchOptions, StepDecorator } from "../flow/decorators.js";
import type { FlowSpec } from "../flow/types.js";
import type { FlowGraph } from "../graph/flow-graph.js";
import type { RunningAttempt, TaskAttemptOptions } from "../task/task-attempt.js";
import type { CompiledFlow } from "./compile-flow.js";
import { effectiveDecorators, type RunOptions } from "./run-options.js";

/** What a launcher needs once per run: the code it ships and where the run is stored. */
export interface BatchLauncherSetup {
  flow: FlowSpec;
  compiled: CompiledFlow;
  /** The run's datastore: always S3 (checked by {@link batchSteps}). */
  datastore: Extract<DatastoreLocation, { kind: "s3" }>;
  /** Every `batch` decorator of the run, so each job definition is registered before any task starts. */
  decorators: BatchOptions[];
  print: (line: string, stream: "stdout" | "stderr") => void;
}

/** Starts attempts as Batch jobs; one per run. */
export interface BatchLauncher {
  /** One attempt as a Batch job; it ends like any attempt, with a TaskExit. */
  start(attempt: TaskAttemptOptions, batch: BatchOptions): RunningAttempt;
  /** The queue and job definition in words, for the run's first line. */
  readonly description: string;
}

/** Loads and prepares the launcher (code package uploaded, job definitions registered). */
export type BatchLauncherFactory = (setup: BatchLauncherSetup) => Promise<BatchLauncher>;

/** The step's `batch` decorator (its own, or one `--with batch` added), if it runs on Batch. */
export function batchOf(decorators: readonly StepDecorator[]): BatchOptions | undefined {
  const found = decorators.find((d) => d.kind === "batch");
  if (found?.kind !== "batch") return undefined;
  // A `resources` decorator sizes the job when `batch` leaves cpu, memory or gpu out (Metaflow's rule).
  const resources = decorators.find((d) => d.kind === "resources");
  return resources?.kind === "resources" ? { ...resources.options, ...found.options } : found.options;
}

/**
 * The `batch` decorators of the run's steps. A Batch job cannot reach a laptop's folder, so a
 * run with any needs the S3 datastore: refused before anything starts, naming the setting.
 */
export function batchSteps(
  graph: FlowGraph,
  added: readonly StepDecorator[],
  datastore: DatastoreLocation,
): BatchOptions[] {
  const found: BatchOptions[] = [];
  for (const node of graph.nodes.values()) {
    const options = batchOf(effectiveDecorators(node.spec, added));
    if (options) found.push(options);
  }
  if (found.length > 0 && datastore.kind !== "s3") {
    throw new UsageError(
      `Batch steps need the S3 datastore: flow '${graph.flow.name}' runs on '${datastore.root}'. Set FLOWSHIP_DATASTORE=s3 and FLOWSHIP_S3_ROOT, or give a datastore root s3://bucket/prefix (--datastore s3 --datastore-root on the command line, datastoreRoot in flowship/api).`,
      "FS_RUN_BATCH_NEEDS_S3",
    );
  }
  return found;
}

/**
 * The run's launcher when it has Batch steps (their own `batch` or `--with batch`): loaded only
 * then, it ships the code and registers the job definitions before anything runs.
 */
export async function prepareBatch(
  options: RunOptions,
  graph: FlowGraph,
  print: BatchLauncherSetup["print"],
): Promise<BatchLauncher | undefined> {
  const decorators = batchSteps(graph, options.withDecorators, options.datastore);
  if (decorators.length === 0 || options.datastore.kind !== "s3") return undefined;
  if (!options.batch) {
    throw new UsageError(
      `Flow '${options.flow.name}' has Batch steps, but this run was started without a Batch launcher: run it with the flowship CLI.`,
      "FS_RUN_BATCH_UNAVAILABLE",
    );
  }
  const factory = await options.batch();
  return factory({
    flow: options.flow,
    compiled: options.compiled,
    datastore: options.datastore,
    decorators,
    print,
  });
}
