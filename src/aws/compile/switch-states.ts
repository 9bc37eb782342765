/**
 * A switch on Step Functions. A Batch job cannot hand a value to the state machine, so the
 * switch step's task writes the step its case leads to into `switch.json` in its task folder
 * (as a foreach writes `foreach.json`); a Task reads it with the S3 integration into
 * `$.switch`, and a Choice state goes to that step. The task has already checked the value has
 * a case, so no rule of the Choice state is ever missed.
 */
import type { FlowGraph, GraphNode } from "../../graph/flow-graph.js";
import { ChoiceState } from "../asl/choice-state.js";
import { statesStringToJson } from "../asl/intrinsics.js";
import { TaskState } from "../asl/task-state.js";
import { type ForeachScope, S3_RETRY, taskFileKey } from "./foreach-states.js";
import { edgeTarget } from "./loop-states.js";

/** The file a switch task writes, relative to its task folder in the datastore. */
export const SWITCH_FILE = "switch.json";
/** Where the parsed file sits in the state input: `{ doc: { sha256, body: { next } } }`. */
export const SWITCH_PATH = "$.switch";
const NEXT_STEP_PATH = `${SWITCH_PATH}.doc.body.next`;

export function readCaseStateName(step: string): string {
  return `${step}-case`;
}

export function switchStateName(step: string): string {
  return `${step}-switch`;
}

/** The Task reading `switch.json`, then the Choice going where it says. */
export function switchStates(
  graph: FlowGraph,
  node: GraphNode,
  scope: ForeachScope,
): Array<[string, TaskState | ChoiceState]> {
  const read = new TaskState({
    comment: `Reads the case switch step '${node.name}' chose.`,
    resource: `arn:${scope.options.partition}:states:::aws-sdk:s3:getObject`,
    parameters: { Bucket: scope.options.bucket, "Key.$": taskFileKey(node, scope, SWITCH_FILE) },
    resultSelector: { "doc.$": statesStringToJson("$.Body") },
    resultPath: SWITCH_PATH,
    retry: [S3_RETRY],
    next: switchStateName(node.name),
  });
  const choice = new ChoiceState({
    comment: `Switch '${node.name}' on '${node.spec.condition}': ${Object.entries(node.spec.cases!)
      .map(([value, step]) => `${value} -> ${step}`)
      .join(", ")}.`,
    choices: node.next.map((target) => ({
      condition: { variable: NEXT_STEP_PATH, stringEquals: target },
      next: edgeTarget(graph, node.name, target),
    })),
  });
  return [
    [readCaseStateName(node.name), read],
    [switchStateName(node.name), choice],
  ];
}
