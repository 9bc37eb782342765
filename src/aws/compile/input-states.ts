/**
 * The states in front of `start` that make the execution input safe to read. An execution may
 * be started with no input (`{}`), with `{"Parameters": "<JSON text>"}` as `trigger` sends it,
 * with `{"Parameters": "{}", "ScheduledTime": "<ISO time>"}` as the schedule and `backfill` send
 * it, or with `{"Parameters": {…}}` — what an EventBridge input transformer builds from an event
 * (`trigger({ event })`) and what is easiest to type in the console — which becomes its JSON text
 * (States.JsonToString). A missing `Parameters` becomes "{}", a missing `ScheduledTime` "" (no
 * fire time); a number, boolean or null fails the execution at once with a clear error instead of
 * a Batch validation error later. An input with `Resume` starts a resume with a fix
 * (resume-states.ts).
 */
import { ChoiceState } from "../asl/choice-state.js";
import { FailState } from "../asl/fail-state.js";
import { PassState } from "../asl/pass-state.js";
import type { AslState } from "../asl/state.js";
import { INPUT_STATES, RESUME_STATES } from "./naming.js";

export const PARAMETERS_PATH = "$.Parameters";
/** The fire time of a scheduled or backfilled run: a string, "" when the run has none. */
export const SCHEDULED_TIME_PATH = "$.ScheduledTime";
/** Present in the input of a resume with a fix: `{ "Origin": "sfn-…", "Step": "<step>" }`. */
export const RESUME_PATH = "$.Resume";

/** Error name of an execution started with an unusable input. */
export const INVALID_INPUT_ERROR = "Flowship.InvalidInput";

export function inputStates(start: string): Array<[string, AslState]> {
  const noFireTime = { ScheduledTime: "" };
  return [
    [
      INPUT_STATES.check,
      new ChoiceState({
        // No Comment: the definition's bytes count against a small flow's size (bench row 5); the
        // module's doc above says what each rule is for.
        choices: [
          { condition: { variable: RESUME_PATH, isPresent: true }, next: RESUME_STATES.input },
          // Rules are tried in order: the type tests only run when Parameters is present.
          { condition: { not: { variable: PARAMETERS_PATH, isPresent: true } }, next: INPUT_STATES.defaults },
          {
            condition: {
              and: [
                { variable: PARAMETERS_PATH, isString: true },
                { variable: SCHEDULED_TIME_PATH, isPresent: true },
                { variable: SCHEDULED_TIME_PATH, isString: true },
              ],
            },
            next: start,
          },
          { condition: { variable: PARAMETERS_PATH, isString: true }, next: INPUT_STATES.unscheduled },
          {
            condition: {
              or: [
                { variable: PARAMETERS_PATH, isNumeric: true },
                { variable: PARAMETERS_PATH, isBoolean: true },
                { variable: PARAMETERS_PATH, isNull: true },
              ],
            },
            next: INPUT_STATES.invalid,
          },
        ],
        // An object (or an array, which the start step then refuses by name).
        default: INPUT_STATES.asText,
      }),
    ],
    [INPUT_STATES.defaults, new PassState({ result: { Parameters: "{}", ...noFireTime }, next: start })],
    [
      INPUT_STATES.unscheduled,
      new PassState({ parameters: { "Parameters.$": PARAMETERS_PATH, ...noFireTime }, next: start }),
    ],
    [
      INPUT_STATES.asText,
      new PassState({
        parameters: { "Parameters.$": `States.JsonToString(${PARAMETERS_PATH})`, ...noFireTime },
        next: start,
      }),
    ],
    [
      INPUT_STATES.invalid,
      new FailState({
        error: INVALID_INPUT_ERROR,
        cause: "Parameters must be an object or its JSON text, not a number, a boolean or null.",
      }),
    ],
  ];
}
