/**
 * How many events a run adds to its execution history. A standard execution fails at 25,000
 * events and every inline Map iteration counts, so this bounds how wide a foreach may be.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions
 */
import type { JsonObject } from "../asl/json.js";

export const MAX_HISTORY_EVENTS = 25_000;

/** Events per state of a successful run, by type; a Map or Parallel adds its contents. */
const EVENTS = {
  /** Entered, scheduled, started, submitted, succeeded, exited. */
  Task: 6,
  Pass: 2,
  Choice: 2,
  /** Entered, started, succeeded, exited. */
  Parallel: 4,
  Map: 4,
  /** Per Map iteration: started, succeeded. */
  iteration: 2,
  /** ExecutionStarted, ExecutionSucceeded. */
  execution: 2,
} as const;

function scopeEvents(states: JsonObject, width: number): number {
  // States reached only through a Catch do not run in a successful run.
  const onlyOnFailure = new Set<string>();
  for (const state of Object.values(states) as JsonObject[]) {
    for (const c of (state.Catch as JsonObject[] | undefined) ?? []) onlyOnFailure.add(String(c.Next));
  }
  let events = 0;
  for (const [name, value] of Object.entries(states)) {
    const state = value as JsonObject;
    if (onlyOnFailure.has(name)) continue;
    if (state.Type === "Task" || state.Type === "Pass" || state.Type === "Choice") {
      events += EVENTS[state.Type];
    } else if (state.Type === "Parallel") {
      const branches = state.Branches as JsonObject[];
      events +=
        EVENTS.Parallel + branches.reduce((sum, b) => sum + scopeEvents(b.States as JsonObject, width), 0);
    } else if (state.Type === "Map") {
      const body = scopeEvents((state.ItemProcessor as JsonObject).States as JsonObject, width);
      events += EVENTS.Map + width * (EVENTS.iteration + body);
    }
  }
  return events;
}

/** Events of a successful run without retries in which every foreach has `width` items. */
export function historyEvents(states: JsonObject, width: number): number {
  return EVENTS.execution + scopeEvents(states, width);
}

/** The widest foreach (all foreaches equally wide) whose run stays within the history limit. */
export function maxWidthWithinHistory(states: JsonObject): number {
  let low = 0;
  let high = MAX_HISTORY_EVENTS;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (historyEvents(states, mid) <= MAX_HISTORY_EVENTS) low = mid;
    else high = mid - 1;
  }
  return low;
}
