/**
 * The AWS quotas a compiled state machine must fit, checked at compile time so that a flow
 * fails on the laptop rather than at CreateStateMachine or, worse, in the middle of a run.
 * Each error names the limit, the offender and a remedy.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html
 */
import type { FlowGraph } from "../../graph/flow-graph.js";
import type { JsonObject, JsonValue } from "../asl/json.js";
import type { StateMachineDefinition } from "../asl/state-machine.js";
import type { ResolvedCompileOptions } from "./compile-options.js";
import { StepFunctionsLimitError, StepFunctionsOptionError } from "./errors.js";
import { historyEvents, isDistributedMap, MAX_HISTORY_EVENTS } from "./execution-history.js";
import {
  DISTRIBUTED_MAP_MAX_CONCURRENCY,
  type ForeachPlan,
  INLINE_MAP_MAX_CONCURRENCY,
} from "./foreach-plan.js";
import { checkStateName } from "./naming.js";

export const LIMITS = {
  /** Definition size. @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions */
  definitionBytes: 1_048_576,
  /** Text of one Batch job's container overrides, as Step Functions sends it. */
  containerOverridesChars: 8_192,
  /** Input or output of one state. @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-task-executions */
  payloadBytes: 262_144,
  /** Events in one execution's history (inline Map iterations count in it). */
  historyEvents: MAX_HISTORY_EVENTS,
  /** Length of an error's Cause, which a Catch puts in the payload. */
  causeChars: 32_768,
} as const;

export interface DefinitionStats {
  steps: number;
  /** States, nested ones included. */
  states: number;
  /** UTF-8 bytes of the definition as compact JSON text. */
  definitionBytes: number;
  bytesPerStep: number;
  /** The Task whose container overrides are longest, rendered with the longest run-time values. */
  largestOverrides: { state: string; chars: number };
  /** Characters left for the parameters' JSON text in the start step's overrides. */
  parametersBudgetChars: number;
  /** Largest state input or output, in bytes, with every foreach as wide as it may be. */
  estimatedPayloadBytes: number;
  /** History events of a run where every foreach has no items. */
  baseHistoryEvents: number;
}

type StateVisitor = (name: string, state: JsonObject) => void;

function visitStates(states: JsonObject, visit: StateVisitor): void {
  for (const [name, value] of Object.entries(states)) {
    const state = value as JsonObject;
    visit(name, state);
    for (const branch of (state.Branches as JsonObject[] | undefined) ?? []) {
      visitStates(branch.States as JsonObject, visit);
    }
    const processor = state.ItemProcessor as JsonObject | undefined;
    if (processor) visitStates(processor.States as JsonObject, visit);
  }
}

/** Longest run-time value of each dynamic environment value; the parameters are budgeted apart. */
function renderedLength(expression: string, taskIdChars: number): number {
  if (expression === "$.Parameters") return 0;
  // An ISO time as the schedule and backfill send it, with room for an offset and fractions.
  if (expression === "$.ScheduledTime") return 32;
  if (expression.includes("$$.Execution.Name")) return "sfn-".length + 80;
  if (expression.includes("$$.State.RetryCount")) return 8;
  if (expression === "$.taskId") return taskIdChars;
  return 256;
}

/** Container overrides as Batch receives them: `Value.$` entries replaced by their longest value. */
function renderOverrides(overrides: JsonValue, taskIdChars: number): JsonValue {
  if (Array.isArray(overrides)) return overrides.map((v) => renderOverrides(v, taskIdChars));
  if (overrides === null || typeof overrides !== "object") return overrides;
  const rendered: JsonObject = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (key.endsWith(".$"))
      rendered[key.slice(0, -2)] = "x".repeat(renderedLength(String(value), taskIdChars));
    else rendered[key] = renderOverrides(value, taskIdChars);
  }
  return rendered;
}

function digits(n: number): number {
  return String(Math.max(0, n)).length;
}

/** The most items any foreach may have (1 without foreach). */
function widest(foreaches: readonly ForeachPlan[], mode?: ForeachPlan["mode"]): number {
  return Math.max(
    1,
    ...foreaches.filter((f) => mode === undefined || f.mode === mode).map((f) => f.maxWidth),
  );
}

/** Characters of a task id in the deepest foreach: indices up to `width - 1`, joined with ".". */
function taskIdChars(graph: FlowGraph, width: number): number {
  const depth = Math.max(0, ...[...graph.nodes.values()].map((n) => n.foreachDepth));
  return depth === 0 ? 1 : depth * (digits(width - 1) + 1) - 1;
}

/** JSON text of the indices 0 … width-1. */
function indicesChars(width: number): number {
  let chars = 2 + Math.max(0, width - 1);
  for (let i = 0; i < width; i++) chars += digits(i);
  return chars;
}

/**
 * A conservative sum of what a payload can hold: the start step's input (the parameters), the
 * task id and run name, an inline foreach's indices, a caught error, loop counts and a switch's
 * chosen step.
 */
function estimatePayload(input: LimitCheckInput, parametersChars: number): number {
  const { graph, options, foreaches } = input;
  const nodes = [...graph.nodes.values()];
  // Escaped inside the execution input, the parameters' JSON text may double in size.
  const parameters = `{"Parameters":""}`.length + 2 * parametersChars;
  const ids = `{"taskId":"","runName":""}`.length + taskIdChars(graph, widest(foreaches)) + 80;
  // Only an inline Map's indices travel in the payload; a Distributed Map reads them from S3.
  const foreach = foreaches.some((f) => f.mode === "inline")
    ? `,"foreach":{"doc":{"sha256":"","body":{"indices":}}}`.length +
      64 +
      indicesChars(widest(foreaches, "inline"))
    : 0;
  // A caught error's Cause is JSON text itself; escaped inside the payload it may double.
  const hasCatch =
    options.withDecorators.some((d) => d.kind === "catch") ||
    nodes.some((n) => n.spec.decorators.some((d) => d.kind === "catch"));
  const failure = hasCatch ? `,"failure":{"Error":"","Cause":""}`.length + 256 + 2 * LIMITS.causeChars : 0;
  // Each loop's count (up to 7 digits, also in the task id), and a switch's chosen step.
  const loops = graph.loops.reduce((sum, l) => sum + `,"loop_${l.header}":{"n":}`.length + 2 * 7, 0);
  const choice = nodes.some((n) => n.type === "switch")
    ? `,"switch":{"doc":{"sha256":"","body":{"next":""}}}`.length + 64 + 64
    : 0;
  return parameters + ids + foreach + failure + loops + choice;
}

export interface LimitCheckInput {
  definition: StateMachineDefinition;
  graph: FlowGraph;
  options: ResolvedCompileOptions;
  foreaches: readonly ForeachPlan[];
}

interface TaskScan {
  states: number;
  largest: { state: string; chars: number };
  parametersBudgetChars: number;
}

/**
 * Map concurrency comes from `maxWorkers`. An inline Map never gets more than it can run (40),
 * so no foreach is silently capped; a Distributed Map runs up to 10,000 child executions.
 */
function checkMaxConcurrency(state: JsonObject): void {
  const value = state.MaxConcurrency;
  const max = isDistributedMap(state) ? DISTRIBUTED_MAP_MAX_CONCURRENCY : INLINE_MAP_MAX_CONCURRENCY;
  const min = isDistributedMap(state) ? 0 : 1;
  if (
    value !== undefined &&
    (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
  ) {
    throw new StepFunctionsOptionError({
      option: "maxWorkers",
      value,
      expected: `a whole number from ${min} to ${max} for ${isDistributedMap(state) ? "a Distributed" : "an inline"} Map`,
    });
  }
}

function checkOverrides(name: string, chars: number, flow: string, step: string | undefined): void {
  if (chars < LIMITS.containerOverridesChars) return;
  throw new StepFunctionsLimitError({
    code: "FS_SFN_OVERRIDES_TOO_LARGE",
    limit: `Batch ContainerOverrides length of state '${name}'`,
    actual: chars,
    max: LIMITS.containerOverridesChars - 1,
    unit: "characters",
    flow,
    ...(step ? { step } : {}),
    remedy: "Shorten the values of the step's environment decorator",
  });
}

/** Walks every state: name length, Map concurrency, container overrides of each Task. */
function scanStates(input: LimitCheckInput, flow: string): TaskScan {
  const idChars = taskIdChars(input.graph, widest(input.foreaches));
  const scan: TaskScan = {
    states: 0,
    largest: { state: "", chars: 0 },
    parametersBudgetChars: Number.POSITIVE_INFINITY,
  };
  visitStates(input.definition.States, (name, state) => {
    scan.states++;
    const step = input.graph.nodes.has(name) ? name : undefined;
    checkStateName(name, { flow, ...(step ? { step } : {}) });
    if (state.Type === "Map") checkMaxConcurrency(state);
    const overrides = (state.Parameters as JsonObject | undefined)?.ContainerOverrides;
    if (overrides === undefined) return;
    const chars = JSON.stringify(renderOverrides(overrides, idChars)).length;
    checkOverrides(name, chars, flow, step);
    if (chars > scan.largest.chars) scan.largest = { state: name, chars };
    if (JSON.stringify(overrides).includes('"$.Parameters"')) {
      const left = LIMITS.containerOverridesChars - 1 - chars;
      scan.parametersBudgetChars = Math.min(scan.parametersBudgetChars, left);
    }
  });
  return scan;
}

interface Measured {
  code: string;
  limit: string;
  actual: number;
  /** The largest value allowed. */
  max: number;
  unit: string;
  remedy: string;
}

function enforce(flow: string, measured: Measured): void {
  if (measured.actual > measured.max) throw new StepFunctionsLimitError({ ...measured, flow });
}

/**
 * Checks every limit and returns the measurements.
 * @throws StepFunctionsLimitError naming the limit and the offender
 */
export function checkLimits(input: LimitCheckInput): DefinitionStats {
  const flow = input.graph.flow.name;
  const scan = scanStates(input, flow);
  const definitionBytes = Buffer.byteLength(JSON.stringify(input.definition), "utf8");
  enforce(flow, {
    code: "FS_SFN_DEFINITION_TOO_LARGE",
    limit: "State machine definition size",
    actual: definitionBytes,
    max: LIMITS.definitionBytes - 1,
    unit: "bytes",
    remedy: "Split the flow into smaller flows or shorten environment values",
  });
  const parametersBudgetChars = Number.isFinite(scan.parametersBudgetChars) ? scan.parametersBudgetChars : 0;
  const estimatedPayloadBytes = estimatePayload(input, parametersBudgetChars);
  enforce(flow, {
    code: "FS_SFN_PAYLOAD_TOO_LARGE",
    limit: "Estimated state payload size",
    actual: estimatedPayloadBytes,
    max: LIMITS.payloadBytes - 1,
    unit: "bytes",
    remedy: "Shorten the environment decorators, or lower --max-foreach-width",
  });
  const baseHistoryEvents = historyEvents(input.definition.States, 0);
  enforce(flow, {
    code: "FS_SFN_HISTORY_TOO_LONG",
    limit: "Execution history events",
    actual: baseHistoryEvents,
    max: LIMITS.historyEvents,
    unit: "events",
    remedy: "Split the flow into smaller flows",
  });
  return {
    steps: input.graph.nodes.size,
    states: scan.states,
    definitionBytes,
    bytesPerStep: Math.round(definitionBytes / input.graph.nodes.size),
    largestOverrides: scan.largest,
    parametersBudgetChars,
    estimatedPayloadBytes,
    baseHistoryEvents,
  };
}
