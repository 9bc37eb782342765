/**
 * A `Pass` state: puts a fixed `result` (or a payload built from its input) into its output.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
 */
import { compact, type JsonObject, type JsonValue, type PayloadTemplate } from "./json.js";
import type { AslState } from "./state.js";
import { transitionJson } from "./transition.js";

export interface PassStateOptions {
  /** A fixed result. */
  result?: JsonValue;
  /** A payload template evaluated against the input. */
  parameters?: PayloadTemplate;
  /** Where the result goes in the input. @default "$" */
  resultPath?: string | null;
  next?: string;
  comment?: string;
}

export class PassState implements AslState {
  readonly type = "Pass";
  readonly options: PassStateOptions;

  constructor(options: PassStateOptions) {
    this.options = options;
  }

  targets(): string[] {
    return this.options.next === undefined ? [] : [this.options.next];
  }

  toJson(): JsonObject {
    const o = this.options;
    return compact({
      Type: this.type,
      Comment: o.comment,
      Parameters: o.parameters,
      Result: o.result,
      ResultPath: o.resultPath,
      ...transitionJson(o.next),
    });
  }
}
