/**
 * How each foreach runs on Step Functions, and how many items it may have. An inline Map runs at
 * most 40 iterations at once and counts every one in its execution's 25,000-event history; a
 * Distributed Map runs up to 10,000 child executions at once, each with its own history. A
 * foreach never gets less concurrency than `--max-workers` asks for without saying so, and the
 * width each foreach can hold is computed here and checked by its task before any body job runs.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-map-process-modes.html
 */
import type { FlowGraph } from "../../graph/flow-graph.js";
import type { JsonObject } from "../asl/json.js";
import type { ResolvedCompileOptions } from "./compile-options.js";
import { StepFunctionsLimitError, StepFunctionsOptionError } from "./errors.js";
import {
  isDistributedMap,
  MAX_HISTORY_EVENTS,
  maxWidthWithinHistory,
  RETRY_HEADROOM,
} from "./execution-history.js";

/** Iterations an inline Map runs at once, whatever its MaxConcurrency says. */
export const INLINE_MAP_MAX_CONCURRENCY = 40;
/** Child executions a Distributed Map runs at once. */
export const DISTRIBUTED_MAP_MAX_CONCURRENCY = 10_000;
/**
 * Items of one distributed foreach when `maxForeachWidth` is not given: every item is a Batch
 * job, so a list this long is far more likely a bug than a plan.
 */
export const DEFAULT_DISTRIBUTED_MAX_WIDTH = 1_000_000;
/** History events a width limit may use, the rest being left for retries. */
export const HISTORY_BUDGET = Math.floor(MAX_HISTORY_EVENTS * (1 - RETRY_HEADROOM));

export type ForeachMode = "inline" | "distributed";

export interface ForeachChoice {
  mode: ForeachMode;
  /** Why, in words `create` prints. */
  reason: string;
}

export interface ForeachPlan extends ForeachChoice {
  step: string;
  /** Most items the foreach may have; its task fails before any body job starts beyond that. */
  maxWidth: number;
}

function workers(n: number): string {
  return n === 0 ? "--max-workers 0 (no limit)" : `--max-workers ${n}`;
}

/** The mode of every foreach before widths are considered, from `distributedMap` and `maxWorkers`. */
export function initialChoices(
  graph: FlowGraph,
  options: ResolvedCompileOptions,
): Map<string, ForeachChoice> {
  const { maxWorkers, distributedMap } = options;
  const needsDistributed = maxWorkers === 0 || maxWorkers > INLINE_MAP_MAX_CONCURRENCY;
  if (distributedMap === "never" && needsDistributed) {
    throw new StepFunctionsOptionError({
      option: "maxWorkers",
      value: maxWorkers,
      expected: `1 to ${INLINE_MAP_MAX_CONCURRENCY} with distributedMap 'never': an inline Map runs at most ${INLINE_MAP_MAX_CONCURRENCY} iterations at once (or allow a Distributed Map)`,
    });
  }
  const choice: ForeachChoice =
    distributedMap === "always"
      ? { mode: "distributed", reason: "--distributed-map always" }
      : needsDistributed
        ? {
            mode: "distributed",
            reason: `${workers(maxWorkers)} is more than the ${INLINE_MAP_MAX_CONCURRENCY} iterations an inline Map runs at once`,
          }
        : {
            mode: "inline",
            reason: `${workers(maxWorkers)} fits an inline Map (at most ${INLINE_MAP_MAX_CONCURRENCY} at once)`,
          };
  const choices = new Map<string, ForeachChoice>();
  for (const node of graph.nodes.values()) if (node.type === "foreach") choices.set(node.name, { ...choice });
  return choices;
}

interface MapInScope {
  state: JsonObject;
  /** Nesting depth among Map states, 0 for the outermost. */
  depth: number;
}

/** The Map states that run in the execution whose states are `states` (not in its children). */
function mapsOfExecution(states: JsonObject, depth = 0, found = new Map<string, MapInScope>()) {
  for (const [name, value] of Object.entries(states)) {
    const state = value as JsonObject;
    for (const branch of (state.Branches as JsonObject[] | undefined) ?? []) {
      mapsOfExecution(branch.States as JsonObject, depth, found);
    }
    if (state.Type !== "Map") continue;
    found.set(name, { state, depth });
    if (!isDistributedMap(state)) {
      mapsOfExecution((state.ItemProcessor as JsonObject).States as JsonObject, depth + 1, found);
    }
  }
  return found;
}

export interface PlanInput {
  definitionStates: JsonObject;
  /** The step of each foreach's Map state, by state name. */
  mapSteps: ReadonlyMap<string, string>;
  choices: ReadonlyMap<string, ForeachChoice>;
  options: ResolvedCompileOptions;
  flow: string;
}

/**
 * The widths each foreach of a compiled definition can hold: the same limit for every inline
 * foreach of one execution (the widest all of them may be at once within the history budget),
 * `maxForeachWidth` or 1,000,000 for a distributed one. Returns the first inline foreach too
 * narrow for `maxForeachWidth` (the outermost) as `tooNarrow`, for the caller to make distributed.
 */
export function planForeaches(input: PlanInput): { plans: ForeachPlan[]; tooNarrow?: string } {
  const wanted = input.options.maxForeachWidth ?? 1;
  const plans: ForeachPlan[] = [];
  let tooNarrow: { step: string; depth: number } | undefined;
  const executions: JsonObject[] = [input.definitionStates];
  while (executions.length > 0) {
    const states = executions.shift()!;
    const maps = mapsOfExecution(states);
    const inlineWidth = maxWidthWithinHistory(states, HISTORY_BUDGET);
    for (const [name, { state, depth }] of maps) {
      const step = input.mapSteps.get(name)!;
      const choice = input.choices.get(step)!;
      if (isDistributedMap(state)) {
        executions.push((state.ItemProcessor as JsonObject).States as JsonObject);
        plans.push({
          step,
          ...choice,
          maxWidth: input.options.maxForeachWidth ?? DEFAULT_DISTRIBUTED_MAX_WIDTH,
        });
        continue;
      }
      plans.push({ step, ...choice, maxWidth: inlineWidth });
      if (inlineWidth < wanted && (tooNarrow === undefined || depth < tooNarrow.depth))
        tooNarrow = { step, depth };
    }
  }
  return tooNarrow ? { plans, tooNarrow: tooNarrow.step } : { plans };
}

/** An inline foreach that cannot hold `maxForeachWidth` items while Distributed Maps are refused. */
export function inlineTooNarrow(flow: string, plan: ForeachPlan, wanted: number): StepFunctionsLimitError {
  return new StepFunctionsLimitError({
    code: "FS_SFN_FOREACH_TOO_WIDE",
    limit: `Items of inline foreach step '${plan.step}' within ${HISTORY_BUDGET.toLocaleString("en-US")} history events`,
    actual: wanted,
    max: plan.maxWidth,
    unit: "items",
    flow,
    step: plan.step,
    remedy: "Allow a Distributed Map (--distributed-map auto or always), or lower --max-foreach-width",
  });
}
