/**
 * A switch step's choice: after its function ran, `String(self[condition])` picks the case of
 * `next` that runs next. The choice is part of the task's record, so every runtime (the local
 * scheduler, Step Functions' Choice state through `switch.json`, `resume`) follows the same one.
 */
import { inspect } from "node:util";
import { FlowshipError } from "../errors.js";
import type { StepSpec } from "../flow/types.js";

export interface SwitchChoice {
  /** `String(value)` of the condition artifact. */
  value: string;
  /** The step its case leads to. */
  next: string;
}

const SHOWN_CHARACTERS = 60;

/**
 * The value as it is, for the "no case" message: a string in JSON quotes, anything else as
 * util.inspect writes it (`NaN`, `-0`, `Map(1) { 'a' => 1 }`, `[Object: null prototype] {}`) —
 * not as JSON, which writes NaN as null and a Map as {}. Never throws: a value whose own inspect
 * hook fails is named by its type.
 */
function shown(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === "string"
        ? JSON.stringify(value)
        : inspect(value, {
            depth: 2,
            breakLength: Number.POSITIVE_INFINITY,
            maxArrayLength: 10,
            maxStringLength: SHOWN_CHARACTERS,
          });
  } catch {
    text = `a value of type ${typeof value}`;
  }
  return text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS)}…` : text;
}

/** `String(value)`, or undefined for a value that has no string form (an object without a prototype). */
function caseKey(value: unknown): string | undefined {
  try {
    return String(value);
  } catch {
    return undefined;
  }
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
  const key = caseKey(value);
  const next = key !== undefined && Object.hasOwn(cases, key) ? cases[key] : undefined;
  if (key === undefined || next === undefined) {
    throw new FlowshipError(
      "FS_SWITCH_NO_CASE",
      `Step '${step.name}' set self.${condition} to ${shown(value)}, which has no case: its cases are ${names}.`,
    );
  }
  return { value: key, next };
}
