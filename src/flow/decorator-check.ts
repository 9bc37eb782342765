/**
 * Decorators as a flow file gives them, checked where the step or flow is declared: a flow is
 * loaded without type checking, so `decorators: [card]` (the function, not `card()`) would
 * otherwise pass `check` and fail every task of the step.
 */
import {
  batch,
  card,
  catchError,
  environment,
  type FlowDecorator,
  project,
  resources,
  retry,
  type StepDecorator,
  schedule,
  timeout,
  trigger,
  triggerOnFinish,
} from "./decorators.js";
import { FlowDefinitionError } from "./errors.js";

const STEP_KINDS = ["retry", "catch", "timeout", "resources", "environment", "batch", "card"] as const;
const FLOW_KINDS = ["schedule", "triggerOnFinish", "project", "trigger"] as const;

const FACTORIES = new Map<unknown, string>([
  [retry, "retry"],
  [catchError, "catchError"],
  [timeout, "timeout"],
  [resources, "resources"],
  [environment, "environment"],
  [batch, "batch"],
  [card, "card"],
  [schedule, "schedule"],
  [triggerOnFinish, "triggerOnFinish"],
  [project, "project"],
  [trigger, "trigger"],
]);

/** The name a decorator function is called by (a bundled copy may carry a numbered name). */
function factoryName(fn: Function): string {
  return FACTORIES.get(fn) ?? (fn.name.replace(/\d+$/, "") || "the decorator");
}

// (Not named `check`: bundled beside a flow, a flowship function of a common name makes esbuild
// rename the user's own, and their stack traces would show `check2`.)
function checkDecoratorValue(
  value: unknown,
  kinds: readonly string[],
  what: { where: string; kind: "step" | "flow"; list: string },
): void {
  const { where, list } = what;
  if (typeof value === "function") {
    const name = factoryName(value);
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid decorator ${where}: ${name} is a function: write ${name}() (with its options, if any).`,
    );
  }
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof value !== "object" || value === null || !kinds.includes(kind as string)) {
    let shown: string;
    try {
      shown = JSON.stringify(value)?.slice(0, 80) ?? String(value);
    } catch {
      shown = String(value);
    }
    throw new FlowDefinitionError(
      "FS_FLOW_BAD_DECORATOR",
      `Invalid decorator ${where}: ${shown} is not a ${what.kind} decorator; use ${list}.`,
    );
  }
}

/** Throws FS_FLOW_BAD_DECORATOR unless `value` is what a step decorator function returns. */
export function checkStepDecorator(value: unknown, step: string): StepDecorator {
  checkDecoratorValue(value, STEP_KINDS, {
    where: `on step '${step}'`,
    kind: "step",
    list: "retry(), catchError(), timeout(), resources(), environment(), batch() or card()",
  });
  return value as StepDecorator;
}

/** Throws FS_FLOW_BAD_DECORATOR unless `value` is what a flow decorator function returns. */
export function checkFlowDecorator(value: unknown, flow: string): FlowDecorator {
  checkDecoratorValue(value, FLOW_KINDS, {
    where: `of flow '${flow}'`,
    kind: "flow",
    list: "schedule(), triggerOnFinish(), trigger() or project() (step decorators go in a step's decorators)",
  });
  return value as FlowDecorator;
}
