/**
 * A step whose promise can never settle: it awaits a Promise nobody resolves (a `new Promise`
 * whose resolve() is never called, an event that never comes) and nothing else is pending — no
 * timer, I/O or child process that could still settle it. Node then empties its event loop and
 * exits: a task process with code 13 (an unsettled top-level await), a thread with 0, and the
 * attempt failed as a task that "exited without recording a result", naming nothing the user wrote.
 * Node emits `beforeExit` first, in a process and in a worker thread alike; the task takes it as
 * the step's end instead, stores what the step assigned and records a failure that says what
 * happened (retried, or caught by catchError, like any failure).
 */
import type { StepFailure } from "../errors.js";

/** Resolves "stalled" if the event loop empties while it is being watched; stop() ends the watch. */
export function watchForStall(): { stalled: Promise<"stalled">; stop(): void } {
  let onEmpty: () => void = () => {};
  const stalled = new Promise<"stalled">((resolve) => {
    onEmpty = () => resolve("stalled");
  });
  process.once("beforeExit", onEmpty);
  return { stalled, stop: () => process.off("beforeExit", onEmpty) };
}

/** What an attempt whose step could never settle records. */
export function stalledFailure(step: string): StepFailure {
  return {
    type: "StepNeverSettled",
    message: `step '${step}' never finished: its promise was still pending with nothing left that could settle it (no timer, I/O or child process). Look for a Promise whose resolve() is never called, or an await on an event that never comes.`,
    retryable: true,
  };
}
