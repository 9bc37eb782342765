/**
 * How a state hands over: to the state named `next`, or, without one, by ending its scope (the
 * state machine, a Parallel branch or a Map iteration).
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/statemachine-structure.html#transitions
 */

export type TransitionJson = { Next: string } | { End: true };

export function transitionJson(next: string | undefined): TransitionJson {
  return next === undefined ? { End: true } : { Next: next };
}
