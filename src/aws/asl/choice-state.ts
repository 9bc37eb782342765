/**
 * A `Choice` state: goes to the first rule's `next` whose condition holds, else to `default`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import type { JsonObject } from "./json.js";
import type { AslState } from "./state.js";

/** The type tests flowship needs, by their ASL names; each tests the value at `variable`. */
const TYPE_TESTS = {
  isPresent: "IsPresent",
  isString: "IsString",
  isNumeric: "IsNumeric",
  isBoolean: "IsBoolean",
  isNull: "IsNull",
} as const;

type TypeTest = keyof typeof TYPE_TESTS;

export type ChoiceCondition =
  | ({ variable: string } & { [K in TypeTest]: { [P in K]: boolean } }[TypeTest])
  | { variable: string; stringEquals: string }
  | { not: ChoiceCondition }
  | { and: readonly ChoiceCondition[] }
  | { or: readonly ChoiceCondition[] };

export interface ChoiceRule {
  condition: ChoiceCondition;
  next: string;
}

export interface ChoiceStateOptions {
  choices: readonly ChoiceRule[];
  /** Where to go when no rule matches; without it the execution fails with `States.NoChoiceMatched`. */
  default?: string;
  comment?: string;
}

/** @see https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html#amazon-states-language-choice-state-rules */
function conditionJson(condition: ChoiceCondition): JsonObject {
  if ("not" in condition) return { Not: conditionJson(condition.not) };
  if ("and" in condition) return { And: condition.and.map(conditionJson) };
  if ("or" in condition) return { Or: condition.or.map(conditionJson) };
  if ("stringEquals" in condition)
    return { Variable: condition.variable, StringEquals: condition.stringEquals };
  const test = (Object.keys(TYPE_TESTS) as TypeTest[]).find((key) => key in condition)!;
  return {
    Variable: condition.variable,
    [TYPE_TESTS[test]]: (condition as unknown as Record<TypeTest, boolean>)[test],
  };
}

export class ChoiceState implements AslState {
  readonly type = "Choice";
  readonly options: ChoiceStateOptions;

  constructor(options: ChoiceStateOptions) {
    this.options = options;
  }

  targets(): string[] {
    const { choices, default: fallback } = this.options;
    return [...choices.map((c) => c.next), ...(fallback === undefined ? [] : [fallback])];
  }

  toJson(): JsonObject {
    const { choices, default: fallback, comment } = this.options;
    return {
      Type: this.type,
      ...(comment ? { Comment: comment } : {}),
      Choices: choices.map((rule) => ({ ...conditionJson(rule.condition), Next: rule.next })),
      ...(fallback === undefined ? {} : { Default: fallback }),
    };
  }
}
