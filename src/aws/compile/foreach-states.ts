/**
 * A foreach on Step Functions: after the foreach step's Task, a Task reads the list of item
 * indices the step wrote to S3, and an inline Map runs the body once per index. No DynamoDB, no
 * Lambda: the foreach task writes `foreach.json`, the state machine reads it.
 */
import type { GraphNode } from "../../graph/flow-graph.js";
import type { Retrier } from "../asl/error-handling.js";
import { ref, statesArrayLength, statesFormat, statesStringToJson } from "../asl/intrinsics.js";
import { MapState } from "../asl/map-state.js";
import type { StateGraph } from "../asl/state-graph.js";
import { TaskState } from "../asl/task-state.js";
import type { ResolvedCompileOptions } from "./compile-options.js";

/** Where the items (then, after the Map, the iteration count) sit in the state input. */
export const FOREACH_PATH = "$.foreach";
/** Where the indices sit once `foreach.json` is parsed: `{ sha256, body: { indices } }`. */
export const FOREACH_INDICES_PATH = `${FOREACH_PATH}.doc.body.indices`;
/** The file a foreach task writes, relative to its task folder in the datastore. */
export const FOREACH_FILE = "foreach.json";

/** S3 reads of a file that exists fail only transiently. */
const S3_RETRY: Retrier = {
  errorEquals: ["States.TaskFailed"],
  intervalSeconds: 1,
  backoffRate: 2,
  maxAttempts: 3,
  jitterStrategy: "FULL",
};

/**
 * The S3 key of `<root>/<Flow>/runs/<run id>/steps/<step>/<task id>/foreach.json`, built at run
 * time from the execution name and, inside another foreach, the task id.
 */
function foreachKey(flow: string, node: GraphNode, options: ResolvedCompileOptions): string {
  const prefix = options.keyPrefix === "" ? "" : `${options.keyPrefix}/`;
  const runs = `${prefix}${flow}/runs/sfn-`;
  const step = `/steps/${node.name}/`;
  // Outside any foreach the foreach step's own task id is the constant "0".
  const taskId = node.foreachDepth === 0 ? "0" : ref("$.taskId");
  return statesFormat(runs, ref("$$.Execution.Name"), step, taskId, `/${FOREACH_FILE}`);
}

/**
 * Reads `foreach.json` with the S3 SDK integration and keeps only its parsed content.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function foreachItemsTask(
  flow: string,
  node: GraphNode,
  options: ResolvedCompileOptions,
  next: string,
): TaskState {
  return new TaskState({
    comment: `Reads the item indices of foreach step '${node.name}'.`,
    resource: `arn:${options.partition}:states:::aws-sdk:s3:getObject`,
    parameters: { Bucket: options.bucket, "Key.$": foreachKey(flow, node, options) },
    resultSelector: { "doc.$": statesStringToJson("$.Body") },
    resultPath: FOREACH_PATH,
    retry: [S3_RETRY],
    next,
  });
}

/**
 * Runs `body` once per index. Each iteration gets `{ taskId }`: the index itself at the top
 * level, `<parent task id>.<index>` inside another foreach. The Map's output is its input with
 * the indices replaced by their count, so a wide foreach does not weigh on later states.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
 */
export function foreachMapState(
  node: GraphNode,
  body: StateGraph,
  options: ResolvedCompileOptions,
  next: string | undefined,
): MapState {
  const taskId =
    node.foreachDepth === 0
      ? statesFormat(ref("$$.Map.Item.Value"))
      : statesFormat(ref("$.taskId"), ".", ref("$$.Map.Item.Value"));
  return new MapState({
    comment: `Runs the body of foreach step '${node.name}' once per item.`,
    itemsPath: FOREACH_INDICES_PATH,
    itemSelector: { "taskId.$": taskId },
    maxConcurrency: options.maxWorkers,
    itemProcessor: body,
    resultSelector: { "count.$": statesArrayLength("$") },
    resultPath: FOREACH_PATH,
    ...(next === undefined ? {} : { next }),
  });
}
