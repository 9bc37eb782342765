/**
 * The options of the programmatic API, checked before anything runs: a bad one is one
 * FS_API_OPTION error naming the option and the call it was given to, as a bad flag is one usage
 * error of the CLI (which names its flags; a caller of the API never typed any).
 */
import { decoratorFromText, type StepDecorator } from "../flow/decorators.js";
import { shownValue } from "../flow/parameters.js";
import type { BranchChoiceNames } from "../flow/project.js";
import { API_ERROR_CODES, ApiUsageError } from "./errors.js";

/** An error for `option` of `call` (`new Runner()`, `simulate()`), whose value is `value`. */
export function badOption(call: string, option: string, value: unknown, expected: string): ApiUsageError {
  return new ApiUsageError(
    API_ERROR_CODES.badOption,
    `Invalid option ${option} of ${call}: '${typeof value === "string" ? value : shownValue(value)}'. Give ${expected}.`,
  );
}

/** `value` unless it is given and not a whole number of `min` or more. */
export function wholeOption(
  call: string,
  option: string,
  value: number | undefined,
  min: number,
): number | undefined {
  if (value !== undefined && (!Number.isSafeInteger(value) || value < min)) {
    throw badOption(call, option, value, `a whole number of ${min} or more`);
  }
  return value;
}

/** `value` unless it is given and not one of `choices`. */
export function choiceOption<C extends string>(
  call: string,
  option: string,
  value: string | undefined,
  choices: readonly C[],
): C | undefined {
  if (value !== undefined && !(choices as readonly string[]).includes(value)) {
    throw badOption(call, option, value, `one of ${choices.map((c) => `"${c}"`).join(", ")}`);
  }
  return value as C | undefined;
}

/** The `with` option's decorators: objects as given, text parsed as `--with` parses it. */
export function withDecorators(given: readonly (StepDecorator | string)[] | undefined): StepDecorator[] {
  return (given ?? []).map((d) => (typeof d === "string" ? decoratorFromText(d, "option 'with'") : d));
}

/** How `resolveBranch` names the `branch` and `production` options of `call`. */
export function branchOptionNames(call: string): BranchChoiceNames {
  return {
    branch: `option branch of ${call}`,
    production: `option production of ${call}`,
    code: API_ERROR_CODES.badOption,
  };
}
