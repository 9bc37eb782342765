/**
 * A foreach on Step Functions. The foreach step's task writes the list of item indices to S3;
 * an inline Map gets them from a Task that reads `foreach.json` into the state input, a
 * Distributed Map reads `foreach-items.json` (the bare array) itself with an ItemReader and
 * writes its results to S3, so neither the list nor the results weigh on the state payload. No
 * DynamoDB, no Lambda.
 */
import type { GraphNode } from "../../graph/flow-graph.js";
import type { Retrier } from "../asl/error-handling.js";
import { ref, statesArrayLength, statesFormat, statesStringToJson } from "../asl/intrinsics.js";
import type { PayloadTemplate } from "../asl/json.js";
import { MapState } from "../asl/map-state.js";
import type { StateGraph } from "../asl/state-graph.js";
import { TaskState } from "../asl/task-state.js";
import type { ResolvedCompileOptions } from "./compile-options.js";
import type { ForeachMode } from "./foreach-plan.js";
import { taskIdParts } from "./loop-states.js";
import { mapRunLabel } from "./naming.js";
import { EXECUTION_NAME, type ExecutionNamePath } from "./task-environment.js";

/** Where the items (then, after an inline Map, the iteration count) sit in the state input. */
export const FOREACH_PATH = "$.foreach";
/** Where the indices sit once `foreach.json` is parsed: `{ sha256, body: { indices } }`. */
export const FOREACH_INDICES_PATH = `${FOREACH_PATH}.doc.body.indices`;
/** The file a foreach task writes, relative to its task folder in the datastore. */
export const FOREACH_FILE = "foreach.json";
/** The indices as a bare JSON array, which a Distributed Map's ItemReader needs. */
export const FOREACH_ITEMS_FILE = "foreach-items.json";
/** Where a Distributed Map's ResultWriter puts its Map Run's results, in the task folder. */
export const MAP_RESULTS_FOLDER = "map-results";

/** S3 reads of a file that exists fail only transiently. */
export const S3_RETRY: Retrier = {
  errorEquals: ["States.TaskFailed"],
  intervalSeconds: 1,
  backoffRate: 2,
  maxAttempts: 3,
  jitterStrategy: "FULL",
};

/** Where the states of one foreach find the facts they build names from. */
export interface ForeachScope {
  flow: string;
  options: ResolvedCompileOptions;
  /** Where the foreach step's state reads the execution name of the run. */
  executionName: ExecutionNamePath;
}

/**
 * The S3 key of `<root>/<Flow>/runs/sfn-<execution name>/steps/<step>/<task id>/<file>`, built at
 * run time from the execution name and, inside another foreach, the task id.
 */
export function taskFileKey(node: GraphNode, scope: ForeachScope, file: string): string {
  const prefix = scope.options.keyPrefix === "" ? "" : `${scope.options.keyPrefix}/`;
  const runs = `${prefix}${scope.flow}/runs/sfn-`;
  const step = `/steps/${node.name}/`;
  return statesFormat(
    runs,
    ref(scope.executionName),
    step,
    ...taskIdParts(node),
    file === "" ? "" : `/${file}`,
  );
}

/**
 * Reads `foreach.json` with the S3 SDK integration and keeps only its parsed content.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
export function foreachItemsTask(node: GraphNode, scope: ForeachScope, next: string): TaskState {
  return new TaskState({
    comment: `Reads the item indices of foreach step '${node.name}'.`,
    resource: `arn:${scope.options.partition}:states:::aws-sdk:s3:getObject`,
    parameters: { Bucket: scope.options.bucket, "Key.$": taskFileKey(node, scope, FOREACH_FILE) },
    resultSelector: { "doc.$": statesStringToJson("$.Body") },
    resultPath: FOREACH_PATH,
    retry: [S3_RETRY],
    next,
  });
}

/**
 * The input of each iteration: `{ taskId }`, the index itself at the top level and
 * `<parent task id>.<index>` inside another foreach; plus `{ runName }` when the body runs where
 * `$$.Execution.Name` is not the run's (in a child execution, or nested in one).
 */
function itemSelector(node: GraphNode, scope: ForeachScope, bodyExecutionName: ExecutionNamePath) {
  // The foreach task's id, then "." and the index; "0." is left out (task/task-id.ts).
  const parent = taskIdParts(node);
  const taskId =
    parent.length === 1 && parent[0] === "0"
      ? statesFormat(ref("$$.Map.Item.Value"))
      : statesFormat(...parent, ".", ref("$$.Map.Item.Value"));
  const selector: PayloadTemplate = { "taskId.$": taskId };
  if (bodyExecutionName === EXECUTION_NAME.input) selector["runName.$"] = scope.executionName;
  return selector;
}

/** Where the states of a foreach's body read the run's execution name. */
export function bodyExecutionName(mode: ForeachMode, outer: ExecutionNamePath): ExecutionNamePath {
  return mode === "distributed" ? EXECUTION_NAME.input : outer;
}

/**
 * Runs `body` once per index: inline, over the indices the items Task put in the input; the
 * Map's output is its input with the indices replaced by their count, so a wide foreach does
 * not weigh on later states. Distributed, over `foreach-items.json`, each iteration a child
 * execution; results go to S3 and the Map's output is its input (the join reads the datastore).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemselector.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
export function foreachMapState(
  node: GraphNode,
  scope: ForeachScope,
  mode: ForeachMode,
  body: StateGraph,
  next: string | undefined,
): MapState {
  const selector = itemSelector(node, scope, bodyExecutionName(mode, scope.executionName));
  const common = {
    comment: `Runs the body of foreach step '${node.name}' once per item${mode === "distributed" ? ", each in a child execution" : ""}.`,
    itemSelector: selector,
    maxConcurrency: scope.options.maxWorkers,
    itemProcessor: body,
    ...(next === undefined ? {} : { next }),
  };
  if (mode === "inline") {
    return new MapState({
      ...common,
      itemsPath: FOREACH_INDICES_PATH,
      resultSelector: { "count.$": statesArrayLength("$") },
      resultPath: FOREACH_PATH,
    });
  }
  const s3 = `arn:${scope.options.partition}:states:::s3`;
  return new MapState({
    ...common,
    distributed: {
      label: mapRunLabel(node.name),
      itemReader: {
        resource: `${s3}:getObject`,
        parameters: { Bucket: scope.options.bucket, "Key.$": taskFileKey(node, scope, FOREACH_ITEMS_FILE) },
      },
      resultWriter: {
        resource: `${s3}:putObject`,
        parameters: {
          Bucket: scope.options.bucket,
          "Prefix.$": taskFileKey(node, scope, MAP_RESULTS_FOLDER),
        },
      },
      toleratedFailurePercentage: 0,
    },
    resultPath: null,
  });
}
