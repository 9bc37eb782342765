/**
 * A `Fail` state: stops the execution as failed with an error name and a cause.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
 */
import type { JsonObject } from "./json.js";
import type { AslState } from "./state.js";

export interface FailStateOptions {
  /** Error name, e.g. `Flowship.BadInput`. */
  error: string;
  /** One human-readable sentence. */
  cause: string;
  comment?: string;
}

export class FailState implements AslState {
  readonly type = "Fail";
  readonly options: FailStateOptions;

  constructor(options: FailStateOptions) {
    this.options = options;
  }

  targets(): string[] {
    return [];
  }

  toJson(): JsonObject {
    const { error, cause, comment } = this.options;
    return { Type: this.type, ...(comment ? { Comment: comment } : {}), Error: error, Cause: cause };
  }
}
