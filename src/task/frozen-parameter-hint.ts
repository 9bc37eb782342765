/**
 * Names the parameter behind V8's TypeError for changing a frozen object. Parameters are frozen all
 * the way down (artifact-scope.ts), and a ported flow that pushes onto a list parameter
 * (`self.labels.push(x)`, fine in Metaflow, where the change is just never stored) otherwise
 * fails with `Cannot add property 0, object is not extensible`, which names no parameter.
 */
import type { StepFailure } from "../errors.js";

/** V8's messages for adding, assigning or deleting a property of a frozen object (strict mode). */
const FROZEN_WRITE =
  /Cannot add property (.+), object is not extensible|Cannot assign to read only property '(.+)' of|Cannot delete property '(.+)' of/;

/**
 * The failure with a hint added to its message and its stack's first line, when `error` is such
 * a TypeError and the step read frozen parameters (name → value); else the failure as it is.
 */
export function withFrozenParameterHint(
  failure: StepFailure,
  error: unknown,
  frozenParameters: ReadonlyMap<string, object>,
): StepFailure {
  const match = error instanceof TypeError ? FROZEN_WRITE.exec(error.message) : null;
  if (!match || frozenParameters.size === 0) return failure;
  // A property that exists (assigned, deleted) is in the parameter that was changed: keep those.
  const property = match[2] ?? match[3];
  const all = [...frozenParameters.keys()];
  const holding = property === undefined ? [] : all.filter((n) => holds(frozenParameters.get(n)!, property));
  const names = holding.length > 0 ? holding : all;
  const which =
    names.length === 1
      ? `parameter '${names[0]}'`
      : `one of the parameters ${names.map((n) => `'${n}'`).join(", ")}`;
  const hint = ` (the step changed ${which}? Parameters are read-only all the way down: change a copy, e.g. structuredClone(self.${names[0]}))`;
  const message = `${failure.message}${hint}`;
  // The stack's first line repeats the message: the hint goes where the message is printed.
  const stack = failure.stack?.replace(failure.message, message);
  return { ...failure, message, ...(stack !== undefined ? { stack } : {}) };
}

/** Whether `value` or an object inside it has its own property `property`. */
function holds(value: object, property: string, seen = new Set<object>()): boolean {
  if (seen.has(value)) return false;
  seen.add(value);
  if (Object.hasOwn(value, property)) return true;
  return Object.values(value).some((v) => typeof v === "object" && v !== null && holds(v, property, seen));
}
