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
  // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's placeholder syntax, meant literally
  executionRole: "${FlowshipExecutionRoleArn}",
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
   * Foreach iterations running at once (`MaxConcurrency` of every Map); 0 means as many as AWS
   * allows (10,000 child executions). More than 40 needs a Distributed Map.
   * @default 100
   * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-map-process-modes.html
   */
  maxWorkers?: number;
  /**
   * Which foreaches run as a Distributed Map (each item a child execution with its own history):
   * `auto` picks one where `maxWorkers` exceeds the 40 iterations an inline Map runs at once, or
   * where `maxForeachWidth` items would not fit in an inline Map's share of the history.
   * @default "auto"
   */
  distributedMap?: DistributedMapSetting;
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
  /**
   * The widest foreach the deployment must run. In `auto` mode a foreach whose inline Map could
   * not hold that many items becomes a Distributed Map; with `never` such a flow is refused.
   * Distributed foreaches refuse wider lists at run time. @default none: inline foreaches allow
   * what fits their history, distributed ones 1,000,000 items
   */
  maxForeachWidth?: number;
  /** AWS partition of the service integration ARNs. @default "aws" */
  partition?: string;
  /** Decorators added to every step that has none of their kind (`--with`). @default [] */
  withDecorators?: readonly StepDecorator[];
  /**
   * What the job queue's compute environments are: `ec2` (EC2 or Spot instances) passes a step's
   * `resources` through; `fargate` (Fargate or Fargate Spot) rounds them up to the nearest valid
   * Fargate pair and refuses what Fargate cannot run (see fargate-resources.ts).
   * @default "ec2"
   * @see https://docs.aws.amazon.com/batch/latest/userguide/fargate.html
   */
  compute?: ComputeKind;
}

/** Where Batch jobs run: EC2 instances (on-demand or Spot) or Fargate. */
export const COMPUTE_KINDS = ["ec2", "fargate"] as const;
export type ComputeKind = (typeof COMPUTE_KINDS)[number];

/** Whether a Fargate job gets a public IP address. */
export const ASSIGN_PUBLIC_IP = ["ENABLED", "DISABLED"] as const;
export type AssignPublicIp = (typeof ASSIGN_PUBLIC_IP)[number];

export const DISTRIBUTED_MAP_SETTINGS = ["always", "auto", "never"] as const;
export type DistributedMapSetting = (typeof DISTRIBUTED_MAP_SETTINGS)[number];

/** How long a step without a `timeout` decorator may take on Batch, queue included: a day. */
export const DEFAULT_TASK_TIMEOUT_SECONDS = 86_400;

/**
 * Foreach iterations running at once when `maxWorkers` is not given; the default of the CLI's
 * `--max-workers` and of the API's `maxWorkers` too, so that every door deploys the same.
 */
export const DEFAULT_MAX_WORKERS = 100;

/** Which foreaches run as Distributed Maps when `distributedMap` is not given. */
export const DEFAULT_DISTRIBUTED_MAP: DistributedMapSetting = "auto";

/** The options with their defaults applied, and the datastore root split into bucket and prefix. */
export type ResolvedCompileOptions = Required<
  Omit<StepFunctionsCompileOptions, "name" | "workflowTimeoutSeconds" | "maxForeachWidth">
> &
  Pick<StepFunctionsCompileOptions, "name" | "workflowTimeoutSeconds" | "maxForeachWidth"> & {
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
  wholeNumber("maxForeachWidth", options.maxForeachWidth, 1, 100_000_000);
  if (options.distributedMap !== undefined && !DISTRIBUTED_MAP_SETTINGS.includes(options.distributedMap)) {
    throw new StepFunctionsOptionError({
      option: "distributedMap",
      value: options.distributedMap,
      expected: DISTRIBUTED_MAP_SETTINGS.join(", "),
    });
  }
  if (options.compute !== undefined && !COMPUTE_KINDS.includes(options.compute)) {
    throw new StepFunctionsOptionError({
      option: "compute",
      value: options.compute,
      expected: COMPUTE_KINDS.join(" or "),
    });
  }
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
    maxWorkers: options.maxWorkers ?? DEFAULT_MAX_WORKERS,
    queueTimeoutSeconds: options.queueTimeoutSeconds ?? 3600,
    taskTimeoutSeconds: options.taskTimeoutSeconds ?? DEFAULT_TASK_TIMEOUT_SECONDS,
    distributedMap: options.distributedMap ?? DEFAULT_DISTRIBUTED_MAP,
    partition: options.partition ?? "aws",
    withDecorators: options.withDecorators ?? [],
    compute: options.compute ?? "ec2",
  };
}
