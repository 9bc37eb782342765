/**
 * A `Task` state: calls a service integration (here AWS Batch and the S3 SDK integration).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 */
import { type Catcher, catcherJson, type Retrier, retrierJson } from "./error-handling.js";
import { compact, type JsonObject, type PayloadTemplate } from "./json.js";
import type { AslState } from "./state.js";
import { transitionJson } from "./transition.js";

export interface TaskStateOptions {
  /** The integration's ARN, e.g. `arn:aws:states:::batch:submitJob.sync`. */
  resource: string;
  /** The request sent to the service. */
  parameters: PayloadTemplate;
  /** Shapes the service's response before `resultPath` places it. */
  resultSelector?: PayloadTemplate;
  /** Where the result goes in the input; `null` keeps the input as the output. @default "$" */
  resultPath?: string | null;
  retry?: readonly Retrier[];
  catch?: readonly Catcher[];
  /** Fails the state with `States.Timeout` after this many seconds. */
  timeoutSeconds?: number;
  /** The next state; without it the state ends its scope. */
  next?: string;
  comment?: string;
}

export class TaskState implements AslState {
  readonly type = "Task";
  readonly options: TaskStateOptions;

  constructor(options: TaskStateOptions) {
    this.options = options;
  }

  targets(): string[] {
    const { next, catch: catchers = [] } = this.options;
    return [...(next === undefined ? [] : [next]), ...catchers.map((c) => c.next)];
  }

  toJson(): JsonObject {
    const o = this.options;
    return compact({
      Type: this.type,
      Comment: o.comment,
      Resource: o.resource,
      Parameters: o.parameters,
      ResultSelector: o.resultSelector,
      ResultPath: o.resultPath,
      TimeoutSeconds: o.timeoutSeconds,
      Retry: o.retry?.length ? o.retry.map(retrierJson) : undefined,
      Catch: o.catch?.length ? o.catch.map(catcherJson) : undefined,
      ...transitionJson(o.next),
    });
  }
}
