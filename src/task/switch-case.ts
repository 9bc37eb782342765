/**
 * A switch step's choice: after its function ran, `String(self[condition])` picks the case of
 * `next` that runs next. The choice is part of the task's record, so every runtime (the local
 * scheduler, Step Functions' Choice state through `switch.json`, `resume`) follows the same one.
 */
import { FlowshipError } from "../errors.js";
import type { StepSpec } from "../flow/types.js";

export interface SwitchChoice {
  /** `String(value)` of the condition artifact. */
  value: string;
  /** The step its case leads to. */
  next: string;
}

const SHOWN_CHARACTERS = 60;

function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
}

/** The case of a switch step for the condition's value; a value without a case fails the task. */
export function chooseCase(step: StepSpec, has: boolean, value: unknown): SwitchChoice {
  const condition = step.condition!;
  const cases = step.cases!;
  const names = Object.keys(cases)
    .map((c) => `'${c}'`)
    .join(", ");
  if (!has) {
    throw new FlowshipError(
      "FS_SWITCH_CONDITION_MISSING",
      `Step '${step.name}' is a switch on '${condition}', but neither it nor an earlier step set self.${condition}; its cases are ${names}.`,
    );
  }
  const key = String(value);
  const next = Object.hasOwn(cases, key) ? cases[key] : undefined;
  if (next === undefined) {
    throw new FlowshipError(
      "FS_SWITCH_NO_CASE",
      `Step '${step.name}' set self.${condition} to ${shown(value)}, which has no case: its cases are ${names}.`,
    );
  }
  return { value: key, next };
}
