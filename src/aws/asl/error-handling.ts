/**
 * `Retry` and `Catch` fields of Task, Parallel and Map states.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { compact, type JsonObject } from "./json.js";

/** Error names Step Functions defines itself. */
export const STATES_ERRORS = {
  all: "States.ALL",
  taskFailed: "States.TaskFailed",
  timeout: "States.Timeout",
} as const;

export interface Retrier {
  errorEquals: readonly string[];
  /** Seconds before the first retry, a whole number ≥ 1. @default 1 */
  intervalSeconds?: number;
  /** Retries after the first attempt; 0 means never. @default 3 */
  maxAttempts?: number;
  /** Factor applied to the interval after each retry, ≥ 1. @default 2 */
  backoffRate?: number;
  /** Upper bound of the interval in seconds. */
  maxDelaySeconds?: number;
  /** `FULL` waits a random time between 0 and the interval. @default "NONE" */
  jitterStrategy?: "FULL" | "NONE";
}

export interface Catcher {
  errorEquals: readonly string[];
  next: string;
  /** Where the error (`{ Error, Cause }`) goes in the state's input; `null` drops it. @default "$" */
  resultPath?: string | null;
}

/** @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error */
export function retrierJson(retrier: Retrier): JsonObject {
  return compact({
    ErrorEquals: [...retrier.errorEquals],
    IntervalSeconds: retrier.intervalSeconds,
    MaxAttempts: retrier.maxAttempts,
    BackoffRate: retrier.backoffRate,
    MaxDelaySeconds: retrier.maxDelaySeconds,
    JitterStrategy: retrier.jitterStrategy,
  });
}

/** @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-fallback-states */
export function catcherJson(catcher: Catcher): JsonObject {
  return compact({
    ErrorEquals: [...catcher.errorEquals],
    ResultPath: catcher.resultPath,
    Next: catcher.next,
  });
}
