/**
 * What a launcher of Batch steps is to a local run, in types only: the runtime's options name the
 * factory (run-options.ts) and batch-launch.ts prepares one, so the types live apart from both and
 * neither module imports the other in a circle. The launcher itself is aws/run-with-batch/.
 */
import type { DatastoreLocation } from "../datastore/open-storage.js";
import type { BatchOptions } from "../flow/decorators.js";
import type { FlowSpec } from "../flow/types.js";
import type { RunningAttempt, TaskAttemptOptions } from "../task/task-attempt.js";
import type { CompiledFlow } from "./compile-flow.js";

/** What a launcher needs once per run: the code it ships and where the run is stored. */
export interface BatchLauncherSetup {
  flow: FlowSpec;
  compiled: CompiledFlow;
  /** The run's datastore: always S3 (checked by batchSteps in batch-launch.ts). */
  datastore: Extract<DatastoreLocation, { kind: "s3" }>;
  /** Every Batch step of the run, so each job definition is registered before any task starts. */
  steps: BatchStep[];
  print: (line: string, stream: "stdout" | "stderr") => void;
}

/** A step of the run that is a Batch job: what it asks for, and where each size came from. */
export interface BatchStep {
  step: string;
  batch: BatchOptions;
  /**
   * Where the step's cpu, memory and gpu were given, in the user's words (`--with batch:gpu=1`,
   * `batch({ gpu: 1 })`, `resources({ memory: 200000 })`): a refusal points at what to change.
   */
  origins: Partial<Record<SizeField, string>>;
}

export type SizeField = "cpu" | "memory" | "gpu";

/** Starts attempts as Batch jobs; one per run. */
export interface BatchLauncher {
  /** One attempt as a Batch job; it ends like any attempt, with a TaskExit. */
  start(attempt: TaskAttemptOptions, batch: BatchOptions): RunningAttempt;
  /** The queue and job definition in words, for the run's first line. */
  readonly description: string;
}

/** Loads and prepares the launcher (code package uploaded, job definitions registered). */
export type BatchLauncherFactory = (setup: BatchLauncherSetup) => Promise<BatchLauncher>;
