/**
 * The states in front of `start` that make the execution input safe to read. An execution may
 * be started with no input (`{}`), with `{"Parameters": "<JSON text>"}` as `trigger` and the
 * schedule send it, or with `{"Parameters": {…}}` — what an EventBridge input transformer builds
 * from an event (`trigger({ event })`) and what is easiest to type in the console — which becomes
 * its JSON text (States.JsonToString). A missing `Parameters` becomes "{}"; a number, boolean or
 * null fails the execution at once with a clear error instead of a Batch validation error later.
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
        comment: 'The execution input is {}, {"Parameters": "<JSON text>"} or {"Parameters": {…}}.',
        choices: [
          // Rules are tried in order: the type tests only run when Parameters is present.
          { condition: { not: { variable: PARAMETERS_PATH, isPresent: true } }, next: INPUT_STATES.defaults },
          { condition: { variable: PARAMETERS_PATH, isString: true }, next: start },
          { condition: { variable: PARAMETERS_PATH, isNumeric: true }, next: INPUT_STATES.invalid },
          { condition: { variable: PARAMETERS_PATH, isBoolean: true }, next: INPUT_STATES.invalid },
          { condition: { variable: PARAMETERS_PATH, isNull: true }, next: INPUT_STATES.invalid },
        ],
        // An object (or an array, which the start step then refuses by name).
        default: INPUT_STATES.asText,
      }),
    ],
    [INPUT_STATES.defaults, new PassState({ result: { Parameters: "{}" }, next: start })],
    [
      INPUT_STATES.asText,
      new PassState({
        parameters: { "Parameters.$": `States.JsonToString(${PARAMETERS_PATH})` },
        next: start,
      }),
    ],
    [
      INPUT_STATES.invalid,
      new FailState({
        error: INVALID_INPUT_ERROR,
        cause:
          'The execution input must be {}, {"Parameters": {"alpha": 0.5}} or {"Parameters": "{\\"alpha\\": 0.5}"}; Parameters is a number, a boolean or null.',
      }),
    ],
  ];
}
