/**
 * A set of named states with a first one: the body of a state machine, of a Parallel branch or
 * of a Map's item processor.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html
 */
import type { JsonObject } from "./json.js";
import type { AslState } from "./state.js";

export class StateGraph {
  readonly #states = new Map<string, AslState>();
  #startAt: string | undefined;

  /** Adds a state; the first one added is where the graph starts unless `startAt` is set. */
  add(name: string, state: AslState): this {
    if (this.#states.has(name)) throw new Error(`State '${name}' is added twice.`);
    this.#states.set(name, state);
    this.#startAt ??= name;
    return this;
  }

  set startAt(name: string) {
    this.#startAt = name;
  }

  get startAt(): string {
    if (this.#startAt === undefined) throw new Error("A state graph needs at least one state.");
    return this.#startAt;
  }

  /** The states of this graph, not those nested in its Parallel and Map states. */
  get states(): ReadonlyMap<string, AslState> {
    return this.#states;
  }

  toJson(): { StartAt: string; States: JsonObject } {
    const states: JsonObject = {};
    for (const [name, state] of this.#states) states[name] = state.toJson();
    return { StartAt: this.startAt, States: states };
  }
}
