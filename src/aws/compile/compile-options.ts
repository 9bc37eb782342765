/**
 * What the Step Functions compiler needs besides the flow: where jobs run, where the datastore
 * is, and a few knobs. Values that only exist after a deploy may be left as placeholders in
 * CloudFormation's `${Name}` style, so `create --only-json` works with no AWS account at all.
 */
import type { StepDecorator } from "../../flow/decorators.js";
import { StepFunctionsOptionError } from "./errors.js";
import { jobDefinitionName } from "./naming.js";

/** Placeholders used when an option is not given. `${…}` is what `DefinitionSubstitutions` replaces. */
export const PLACEHOLDERS = {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholder syntax, meant literally
  jobQueue: "${FlowshipJobQueue}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholder syntax, meant literally
  datastoreRoot: "s3://${FlowshipDatastoreBucket}/flowship",
} as const;

export interface StepFunctionsCompileOptions {
  /** State machine name. @default the flow's name */
  name?: string;
  /**
   * Batch job queue (name or ARN) every step is submitted to.
   * @default "${FlowshipJobQueue}"
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html#Batch-SubmitJob-request-jobQueue
   */
  jobQueue?: string;
  /**
   * Batch job definition every step runs with: a name, `name:revision` or an ARN. A deploy should
   * pass the ARN with its revision, so that running executions keep the code they started with.
   * @default the name of the flow's job definition (see `jobDefinitionName`)
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html#Batch-SubmitJob-request-jobDefinition
   */
  jobDefinition?: string;
  /** S3 datastore root `s3://bucket/prefix`; foreach states read from it. @default "s3://${FlowshipDatastoreBucket}/flowship" */
  datastoreRoot?: string;
  /**
   * Foreach iterations running at once (`MaxConcurrency` of every Map); 0 means no limit.
   * @default 100
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
   */
  maxWorkers?: number;
  /** Seconds after which the whole execution fails (top-level `TimeoutSeconds`). @default none */
  workflowTimeoutSeconds?: number;
  /**
   * Seconds a step with a `timeout` may wait in the Batch queue on top of its run time before the
   * state gives up (the Task's `TimeoutSeconds` guard).
   * @default 3600
   */
  queueTimeoutSeconds?: number;
  /**
   * Seconds a step's Batch job may take, waiting in the queue included, before its state fails
   * with `States.Timeout` (and Step Functions stops the job) — for steps without a `timeout`
   * decorator. Without it a job stuck RUNNABLE (no capacity) would hold its run for a year.
   * @default 86400 (24 hours)
   */
  taskTimeoutSeconds?: number;
  /** Most items of one foreach the payload must hold (the item indices travel in it). @default 10000 */
  maxForeachWidth?: number;
  /** AWS partition of the service integration ARNs. @default "aws" */
  partition?: string;
  /** Decorators added to every step that has none of their kind (`--with`). @default [] */
  withDecorators?: readonly StepDecorator[];
}

/** How long a step without a `timeout` decorator may take on Batch, queue included: a day. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 86_400;

/** The options with their defaults applied, and the datastore root split into bucket and prefix. */
export type ResolvedCompileOptions = Required<
  Omit<StepFunctionsCompileOptions, "name" | "workflowTimeoutSeconds">
> &
  Pick<StepFunctionsCompileOptions, "name" | "workflowTimeoutSeconds"> & {
    bucket: string;
    keyPrefix: string;
  };

/** Standard executions last at most one year. */
const MAX_EXECUTION_SECONDS = 31_536_000;

function wholeNumber(option: string, value: number | undefined, min: number, max: number): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > max)) {
    throw new StepFunctionsOptionError({ option, value, expected: `a whole number from ${min} to ${max}` });
  }
}

/** Splits `s3://bucket/prefix` into bucket and key prefix (without slashes at either end). */
export function parseS3Root(root: string): { bucket: string; keyPrefix: string } {
  const match = /^s3:\/\/([^/]+)\/*(.*?)\/*$/.exec(root);
  if (!match) {
    throw new StepFunctionsOptionError({
      option: "datastoreRoot",
      value: root,
      expected: "s3://bucket/prefix",
    });
  }
  return { bucket: match[1]!, keyPrefix: match[2]! };
}

export function resolveCompileOptions(
  options: StepFunctionsCompileOptions,
  flow: string,
): ResolvedCompileOptions {
  wholeNumber("maxWorkers", options.maxWorkers, 0, 10_000);
  wholeNumber("workflowTimeoutSeconds", options.workflowTimeoutSeconds, 1, MAX_EXECUTION_SECONDS);
  wholeNumber("queueTimeoutSeconds", options.queueTimeoutSeconds, 0, MAX_EXECUTION_SECONDS);
  wholeNumber("taskTimeoutSeconds", options.taskTimeoutSeconds, 60, MAX_EXECUTION_SECONDS);
  wholeNumber("maxForeachWidth", options.maxForeachWidth, 1, 10_000_000);
  const datastoreRoot = options.datastoreRoot ?? PLACEHOLDERS.datastoreRoot;
  for (const [option, value] of [
    ["jobQueue", options.jobQueue],
    ["jobDefinition", options.jobDefinition],
    ["partition", options.partition],
  ] as const) {
    if (value !== undefined && value.trim() === "") {
      throw new StepFunctionsOptionError({ option, value, expected: "a non-empty string" });
    }
  }
  return {
    ...options,
    jobQueue: options.jobQueue ?? PLACEHOLDERS.jobQueue,
    jobDefinition: options.jobDefinition ?? jobDefinitionName(flow),
    datastoreRoot,
    ...parseS3Root(datastoreRoot),
    maxWorkers: options.maxWorkers ?? 100,
    queueTimeoutSeconds: options.queueTimeoutSeconds ?? 3600,
    taskTimeoutSeconds: options.taskTimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS,
    maxForeachWidth: options.maxForeachWidth ?? 10_000,
    partition: options.partition ?? "aws",
    withDecorators: options.withDecorators ?? [],
  };
}
