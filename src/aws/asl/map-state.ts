/**
 * A `Map` state: runs its item processor once per item, at most `maxConcurrency` at a time.
 * Inline, the items are an array in the input and the iterations run inside the execution (at
 * most 40 at once, all counted in its history). Distributed, each iteration is a child execution
 * with its own history (up to 10,000 at once); the items may be read from S3 (`ItemReader`) and
 * the results written to S3 (`ResultWriter`).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
import { compact, type JsonObject, type PayloadTemplate } from "./json.js";
import type { AslState } from "./state.js";
import type { StateGraph } from "./state-graph.js";
import { transitionJson } from "./transition.js";

/** Reads the items from a JSON file in S3 whose content is an array. */
export interface ItemReader {
  /** `arn:<partition>:states:::s3:getObject`. */
  resource: string;
  /** `{ Bucket, Key }`, either may be a path (`Key.$`). */
  parameters: PayloadTemplate;
}

/** Writes the child executions' results under an S3 prefix, keeping the state output small. */
export interface ResultWriter {
  /** `arn:<partition>:states:::s3:putObject`. */
  resource: string;
  /** `{ Bucket, Prefix }`, either may be a path (`Prefix.$`). */
  parameters: PayloadTemplate;
}

export interface DistributedMapOptions {
  /** Names the Map Run (and its child executions); at most 40 characters. */
  label: string;
  itemReader?: ItemReader;
  resultWriter?: ResultWriter;
  /** Percentage of child executions that may fail before the Map Run fails. @default 0 */
  toleratedFailurePercentage?: number;
}

export interface MapStateOptions {
  /** The array to iterate over, when there is no `ItemReader`. @default "$" */
  itemsPath?: string;
  /** The input of each iteration, built from the Map's input and `$$.Map.Item.Index/Value`. */
  itemSelector?: PayloadTemplate;
  /** Iterations running at once; 0 means as many as the mode allows. @default 0 */
  maxConcurrency?: number;
  itemProcessor: StateGraph;
  /** Runs each iteration as a child execution. @default inline */
  distributed?: DistributedMapOptions;
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

  /** @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#map-state-distributed-additional-fields */
  toJson(): JsonObject {
    const o = this.options;
    const d = o.distributed;
    const processorConfig: JsonObject = d
      ? { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" }
      : { Mode: "INLINE" };
    return compact({
      Type: this.type,
      Comment: o.comment,
      ItemReader: d?.itemReader
        ? {
            Resource: d.itemReader.resource,
            ReaderConfig: { InputType: "JSON" },
            Parameters: d.itemReader.parameters,
          }
        : undefined,
      ItemsPath: o.itemsPath,
      ItemSelector: o.itemSelector,
      MaxConcurrency: o.maxConcurrency,
      ItemProcessor: { ProcessorConfig: processorConfig, ...o.itemProcessor.toJson() },
      Label: d?.label,
      ToleratedFailurePercentage: d ? (d.toleratedFailurePercentage ?? 0) : undefined,
      ResultWriter: d?.resultWriter
        ? { Resource: d.resultWriter.resource, Parameters: d.resultWriter.parameters }
        : undefined,
      ResultSelector: o.resultSelector,
      ResultPath: o.resultPath,
      ...transitionJson(o.next),
    });
  }
}
