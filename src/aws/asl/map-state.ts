/**
 * A `Map` state in inline mode: runs its item processor once per item of an array in the input,
 * at most `maxConcurrency` at a time.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 */
import { compact, type JsonObject, type PayloadTemplate } from "./json.js";
import type { AslState } from "./state.js";
import type { StateGraph } from "./state-graph.js";
import { transitionJson } from "./transition.js";

export interface MapStateOptions {
  /** The array to iterate over. @default "$" */
  itemsPath?: string;
  /** The input of each iteration, built from the Map's input and `$$.Map.Item.Index/Value`. */
  itemSelector?: PayloadTemplate;
  /** Iterations running at once; 0 means no limit. @default 0 */
  maxConcurrency?: number;
  itemProcessor: StateGraph;
  /** Shapes the array of iteration outputs before `resultPath` places it. */
  resultSelector?: PayloadTemplate;
  resultPath?: string | null;
  next?: string;
  comment?: string;
}

export class MapState implements AslState {
  readonly type = "Map";
  readonly options: MapStateOptions;

  constructor(options: MapStateOptions) {
    this.options = options;
  }

  targets(): string[] {
    return this.options.next === undefined ? [] : [this.options.next];
  }

  /** @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html#map-state-inline-additional-fields */
  toJson(): JsonObject {
    const o = this.options;
    return compact({
      Type: this.type,
      Comment: o.comment,
      ItemsPath: o.itemsPath,
      ItemSelector: o.itemSelector,
      MaxConcurrency: o.maxConcurrency,
      ItemProcessor: { ProcessorConfig: { Mode: "INLINE" }, ...o.itemProcessor.toJson() },
      ResultSelector: o.resultSelector,
      ResultPath: o.resultPath,
      ...transitionJson(o.next),
    });
  }
}
