/**
 * How long a loop may run on Step Functions: every iteration adds its states' events to the
 * execution's history, which ends the execution at 25,000 events. `step-functions create` says
 * how many iterations fit, so a loop meant to run for long is moved into a foreach (a Distributed
 * Map's item is a child execution with a history of its own) before it meets the limit.
 */

import type { FlowGraph } from "../../graph/flow-graph.js";
import type { JsonObject } from "../asl/json.js";
import { historyEvents, MAX_HISTORY_EVENTS, RETRY_HEADROOM, scopeEvents } from "./execution-history.js";
import { INPUT_STATES } from "./naming.js";

export interface LoopPlan {
  /** The loop's header step. */
  header: string;
  /** History events of one iteration without retries (a foreach in it counted with one item). */
  eventsPerIteration: number;
  /** Iterations that fit in the history of the execution running the loop, retries aside. */
  maxIterations: number;
}

const INPUT_STATE_NAMES = new Set<string>(Object.values(INPUT_STATES));

/** The step a state belongs to: its name up to the first '-' (step names have none). */
function stepOf(stateName: string): string | undefined {
  return INPUT_STATE_NAMES.has(stateName) ? undefined : stateName.split("-")[0];
}

/** The scope holding `state`, and the execution's top scope it is in (a Distributed Map's item). */
function findScope(
  states: JsonObject,
  state: string,
  execution: JsonObject,
): { scope: JsonObject; execution: JsonObject } | undefined {
  if (state in states) return { scope: states, execution };
  for (const value of Object.values(states) as JsonObject[]) {
    const inner: JsonObject[] = [
      ...(((value.Branches as JsonObject[] | undefined) ?? []).map((b) => b.States) as JsonObject[]),
      ...(value.ItemProcessor ? [(value.ItemProcessor as JsonObject).States as JsonObject] : []),
    ];
    const distributed =
      ((value.ItemProcessor as JsonObject | undefined)?.ProcessorConfig as JsonObject | undefined)?.Mode ===
      "DISTRIBUTED";
    for (const scope of inner) {
      const found = findScope(scope, state, distributed ? scope : execution);
      if (found) return found;
    }
  }
  return undefined;
}

export function planLoops(definitionStates: JsonObject, graph: FlowGraph): LoopPlan[] {
  const budget = MAX_HISTORY_EVENTS * (1 - RETRY_HEADROOM);
  return graph.loops.flatMap((loop) => {
    const found = findScope(definitionStates, loop.header, definitionStates);
    if (!found) return [];
    const own: JsonObject = {};
    for (const [name, state] of Object.entries(found.scope)) {
      const step = stepOf(name);
      if (step !== undefined && loop.steps.has(step)) own[name] = state;
    }
    const eventsPerIteration = scopeEvents(own, 1);
    const rest = historyEvents(found.execution, 1);
    return [
      {
        header: loop.header,
        eventsPerIteration,
        maxIterations: Math.max(1, Math.floor((budget - rest) / eventsPerIteration) + 1),
      },
    ];
  });
}

/** One line per loop: `loop 'again': 16 history events per iteration, about 1,400 iterations fit …`. */
export function describeLoops(plans: readonly LoopPlan[]): string[] {
  return plans.map(
    (p) =>
      `loop at '${p.header}': ${p.eventsPerIteration} history events per iteration, so about ${p.maxIterations.toLocaleString("en-US")} iterations fit in one execution (25,000 events; a longer loop belongs in a foreach item of its own)`,
  );
}
