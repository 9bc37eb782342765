/**
 * The top level of a state machine definition.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
 */
import { compact, type JsonObject } from "./json.js";
import type { StateGraph } from "./state-graph.js";

export interface StateMachineOptions {
  graph: StateGraph;
  comment?: string;
  /** Fails the whole execution with `States.Timeout` after this many seconds. */
  timeoutSeconds?: number;
}

/** The JSON sent to CreateStateMachine as `definition`. */
export interface StateMachineDefinition extends JsonObject {
  StartAt: string;
  States: JsonObject;
}

export class StateMachine {
  readonly options: StateMachineOptions;

  constructor(options: StateMachineOptions) {
    this.options = options;
  }

  toJson(): StateMachineDefinition {
    const { graph, comment, timeoutSeconds } = this.options;
    return compact({
      Comment: comment,
      ...graph.toJson(),
      TimeoutSeconds: timeoutSeconds,
    }) as StateMachineDefinition;
  }
}
