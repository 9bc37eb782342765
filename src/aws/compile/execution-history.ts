/**
 * How many events a run adds to an execution's history. A standard execution fails at 25,000
 * events and every inline Map iteration counts, so this bounds how wide an inline foreach may
 * be. A Distributed Map adds a few events to its parent whatever its width: each of its items is
 * a child execution with a history of its own.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions
 */
import type { JsonObject } from "../asl/json.js";
import { RESUME_STATES } from "./naming.js";

/** States only a resume with a fix enters; it skips the cloned steps' states, so it has fewer events. */
const RESUME_ONLY = new Set<string>(Object.values(RESUME_STATES));

export const MAX_HISTORY_EVENTS = 25_000;

/**
 * The share of the history a width limit leaves for retries (each retry of a Task adds about 5
 * events): foreach widths are held to 90% of 25,000 events of a run without retries.
 */
export const RETRY_HEADROOM = 0.1;

/** Events per state of a successful run, by type; a Map or Parallel adds its contents. */
const EVENTS = {
  /** Entered, scheduled, started, submitted, succeeded, exited. */
  Task: 6,
  Pass: 2,
  Choice: 2,
  /** Entered, started, succeeded, exited. */
  Parallel: 4,
  Map: 4,
  /** Entered, started, Map Run started, Map Run succeeded, succeeded, exited. */
  DistributedMap: 6,
  /** Per inline Map iteration: started, succeeded. */
  iteration: 2,
  /** ExecutionStarted, ExecutionSucceeded. */
  execution: 2,
} as const;

export function isDistributedMap(state: JsonObject): boolean {
  const processor = state.ItemProcessor as JsonObject | undefined;
  return (processor?.ProcessorConfig as JsonObject | undefined)?.Mode === "DISTRIBUTED";
}

export function scopeEvents(states: JsonObject, width: number): number {
  // States reached only through a Catch do not run in a successful run.
  const onlyOnFailure = new Set<string>();
  for (const state of Object.values(states) as JsonObject[]) {
    for (const c of (state.Catch as JsonObject[] | undefined) ?? []) onlyOnFailure.add(String(c.Next));
  }
  let events = 0;
  for (const [name, value] of Object.entries(states)) {
    const state = value as JsonObject;
    if (onlyOnFailure.has(name) || RESUME_ONLY.has(name)) continue;
    if (state.Type === "Task" || state.Type === "Pass" || state.Type === "Choice") {
      events += EVENTS[state.Type];
    } else if (state.Type === "Parallel") {
      const branches = state.Branches as JsonObject[];
      events +=
        EVENTS.Parallel + branches.reduce((sum, b) => sum + scopeEvents(b.States as JsonObject, width), 0);
    } else if (state.Type === "Map" && isDistributedMap(state)) {
      events += EVENTS.DistributedMap;
    } else if (state.Type === "Map") {
      const body = scopeEvents((state.ItemProcessor as JsonObject).States as JsonObject, width);
      events += EVENTS.Map + width * (EVENTS.iteration + body);
    }
  }
  return events;
}

/**
 * Events of a successful run without retries of the execution whose states are `states` (a
 * state machine, or the item processor of a Distributed Map), in which every inline foreach has
 * `width` items.
 */
export function historyEvents(states: JsonObject, width: number): number {
  return EVENTS.execution + scopeEvents(states, width);
}

/**
 * The widest foreach (all inline foreaches of the execution equally wide) whose run stays within
 * `budget` history events; 0 when not even a run of one item fits.
 */
export function maxWidthWithinHistory(states: JsonObject, budget = MAX_HISTORY_EVENTS): number {
  let low = 0;
  let high = budget;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (historyEvents(states, mid) <= budget) low = mid;
    else high = mid - 1;
  }
  return low;
}
