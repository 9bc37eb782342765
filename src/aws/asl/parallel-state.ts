/**
 * A `Parallel` state: runs every branch on the same input and waits for all of them.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 */
import { compact, type JsonObject } from "./json.js";
import type { AslState } from "./state.js";
import type { StateGraph } from "./state-graph.js";
import { transitionJson } from "./transition.js";

export interface ParallelStateOptions {
  branches: readonly StateGraph[];
  /** Where the array of branch outputs goes; `null` keeps the input as the output. @default "$" */
  resultPath?: string | null;
  next?: string;
  comment?: string;
}

export class ParallelState implements AslState {
  readonly type = "Parallel";
  readonly options: ParallelStateOptions;

  constructor(options: ParallelStateOptions) {
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
      Branches: o.branches.map((branch) => branch.toJson()),
      ResultPath: o.resultPath,
      ...transitionJson(o.next),
    });
  }
}
