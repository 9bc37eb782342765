/**
 * `run --with batch` and the `batch()` decorator: which steps of a local run are AWS Batch jobs,
 * and the launcher that starts them. The launcher itself lives in aws/run-with-batch/ and reaches
 * the runtime through `RunOptions.batch`, a lazy import the CLI passes in: the runtime never
 * imports aws/, and a run without Batch steps never loads the AWS SDK.
 */
import type { DatastoreLocation } from "../datastore/open-storage.js";
import { UsageError } from "../errors.js";
import type { BatchOptions, StepDecorator } from "../flow/decorators.js";
import type { FlowGraph } from "../graph/flow-graph.js";
import type { BatchLauncher, BatchLauncherSetup, BatchStep, SizeField } from "./batch-launcher-types.js";
import { effectiveDecorators, type RunOptions } from "./run-options.js";

/** The step's `batch` decorator (its own, or one `--with batch` added), if it runs on Batch. */
export function batchOf(decorators: readonly StepDecorator[]): BatchOptions | undefined {
  const found = decorators.find((d) => d.kind === "batch");
  if (found?.kind !== "batch") return undefined;
  // A `resources` decorator sizes the job when `batch` leaves cpu, memory or gpu out (Metaflow's rule).
  const resources = decorators.find((d) => d.kind === "resources");
  return resources?.kind === "resources" ? { ...resources.options, ...found.options } : found.options;
}

/** Where a step's size field was given: its own decorator, or one `--with` added. */
function sizeOrigin(
  field: SizeField,
  value: number,
  own: readonly StepDecorator[],
  added: readonly StepDecorator[],
): string | undefined {
  for (const kind of ["batch", "resources"] as const) {
    const mine = own.find((d) => d.kind === kind);
    // `--with` adds a decorator only to steps without their own of that kind.
    const from = mine ?? added.find((d) => d.kind === kind);
    if (!from) continue;
    // resources() fills every field; batch() only those given.
    if (kind === "batch" && (from.options as BatchOptions)[field] === undefined) continue;
    return from === mine ? `${kind}({ ${field}: ${value} })` : `--with ${kind}:${field}=${value}`;
  }
  return undefined;
}

/**
 * The Batch steps of the run (their own `batch`, or one `--with batch` added). A Batch job cannot
 * reach a laptop's folder, so a run with any needs the S3 datastore: refused before anything
 * starts, naming the setting.
 */
export function batchSteps(
  graph: FlowGraph,
  added: readonly StepDecorator[],
  datastore: DatastoreLocation,
): BatchStep[] {
  const found: BatchStep[] = [];
  for (const node of graph.nodes.values()) {
    const batch = batchOf(effectiveDecorators(node.spec, added));
    if (!batch) continue;
    const origins: BatchStep["origins"] = {};
    for (const field of ["cpu", "memory", "gpu"] as const) {
      const value = batch[field];
      const origin = value === undefined ? undefined : sizeOrigin(field, value, node.spec.decorators, added);
      if (origin) origins[field] = origin;
    }
    found.push({ step: node.name, batch, origins });
  }
  if (found.length > 0 && datastore.kind !== "s3") {
    throw new UsageError(
      `Batch steps need the S3 datastore: flow '${graph.flow.name}' runs on '${datastore.root}'. Set FLOWSHIP_DATASTORE=s3 (its root is FLOWSHIP_S3_ROOT, else the s3Root of 'flowship configure aws'), or give a datastore root s3://bucket/prefix (--datastore s3 --datastore-root on the command line, datastoreRoot in flowship/api).`,
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
  const steps = batchSteps(graph, options.withDecorators, options.datastore);
  if (steps.length === 0 || options.datastore.kind !== "s3") return undefined;
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
    steps,
    print,
  });
}
