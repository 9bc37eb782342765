/**
 * The states in front of `start` that make the execution input safe to read. An execution may
 * be started with no input (`{}`), or with `{"Parameters": "<JSON text>"}` as `trigger` and the
 * schedule send it; a missing `Parameters` becomes "{}", one that is not a string fails the
 * execution at once with a clear error instead of a Batch validation error later.
 */
import { ChoiceState } from "../asl/choice-state.js";
import { FailState } from "../asl/fail-state.js";
import { PassState } from "../asl/pass-state.js";
import type { AslState } from "../asl/state.js";
import { INPUT_STATES } from "./naming.js";

export const PARAMETERS_PATH = "$.Parameters";

/** Error name of an execution started with an unusable input. */
export const INVALID_INPUT_ERROR = "Flowship.InvalidInput";

export function inputStates(start: string): Array<[string, AslState]> {
  return [
    [
      INPUT_STATES.check,
      new ChoiceState({
        comment: 'The execution input is {} or {"Parameters": "<JSON text>"}.',
        choices: [
          // Rules are tried in order: the type test only runs when Parameters is present.
          { condition: { not: { variable: PARAMETERS_PATH, isPresent: true } }, next: INPUT_STATES.defaults },
          { condition: { variable: PARAMETERS_PATH, isString: true }, next: start },
        ],
        default: INPUT_STATES.invalid,
      }),
    ],
    [INPUT_STATES.defaults, new PassState({ result: { Parameters: "{}" }, next: start })],
    [
      INPUT_STATES.invalid,
      new FailState({
        error: INVALID_INPUT_ERROR,
        cause:
          'The execution input must be {} or {"Parameters": "<JSON text>"}, e.g. {"Parameters": "{\\"alpha\\": 0.5}"}; Parameters is not a string.',
      }),
    ],
  ];
}
