/**
 * Time limits as aws-local-stepfunctions can keep them, and as AWS sets them. It turns
 * `TimeoutSeconds` into a Node timer, and Node runs a timer of more than 2^31 - 1 ms (about 24.8
 * days) after 1 ms instead: a limit that long (a year's `--task-timeout`, a long
 * `--workflow-timeout`) would fail its state at once. Such limits are lowered to the longest a
 * timer holds, which no simulation reaches. A Task with no limit gets that too: the interpreter's
 * own default is 60 seconds, where AWS's is 99,999,999.
 */
type Json = any;

/** The longest `TimeoutSeconds` a simulated state may have: what one Node timer can wait. */
export const MAX_SIMULATED_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** A copy of `definition` whose every `TimeoutSeconds`, nested states' included, a timer can hold. */
export function withTimerLimits(definition: Json): Json {
  const copy = { ...definition };
  if (typeof copy.TimeoutSeconds === "number") {
    copy.TimeoutSeconds = Math.min(copy.TimeoutSeconds, MAX_SIMULATED_TIMEOUT_SECONDS);
  } else if (copy.Type === "Task" && copy.TimeoutSecondsPath === undefined) {
    // AWS gives a Task without a limit 99,999,999 s; the interpreter would give it 60.
    copy.TimeoutSeconds = MAX_SIMULATED_TIMEOUT_SECONDS;
  }
  if (copy.States) {
    copy.States = Object.fromEntries(
      Object.entries<Json>(copy.States).map(([name, state]) => [name, withTimerLimits(state)]),
    );
  }
  if (copy.Branches) copy.Branches = copy.Branches.map(withTimerLimits);
  if (copy.ItemProcessor) copy.ItemProcessor = withTimerLimits(copy.ItemProcessor);
  if (copy.Iterator) copy.Iterator = withTimerLimits(copy.Iterator);
  return copy;
}
