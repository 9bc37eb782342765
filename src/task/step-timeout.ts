/**
 * The `timeout` decorator, inside the task and around it. The task keeps the time itself: when
 * the step's function has not settled `seconds` after the attempt started, the task stops waiting
 * for it, stores what the step assigned so far and records a `Timeout` failure (retried, or caught
 * by catchError with those artifacts), as Metaflow's timeout raises inside the step. Only a step
 * whose event loop is blocked (a synchronous loop) cannot be stopped that way: the process or
 * thread running it is killed a little later, and its artifacts are lost.
 */
import { performance } from "node:perf_hooks";
import type { StepFailure } from "../errors.js";
import type { StepDecorator } from "../flow/decorators.js";
import { timerDelay } from "../util/timer-delay.js";

/** How long past its timeout an attempt may take to notice it, before it is killed. */
export const KILL_GRACE_MS = 2000;
/** How long an attempt that said it timed out may take to store its artifacts. */
export const STORE_AFTER_TIMEOUT_MS = 60_000;

/**
 * Seconds a container's own time limit (Batch's attempt duration) adds to a step's timeout: the
 * task inside keeps the step's time and stores what a timed-out step assigned, so Batch stops only
 * a container too stuck to do that — after it started, noticed and stored.
 */
export const CONTAINER_TIMEOUT_MARGIN_SECONDS = 90;

const NOTICE_END = "storing the artifacts it assigned, then stopping it";

/** The step's timeout in seconds, if it has one. */
export function timeoutSeconds(decorators: readonly StepDecorator[]): number | undefined {
  const timeout = decorators.find((d) => d.kind === "timeout");
  return timeout?.kind === "timeout" ? timeout.options.seconds : undefined;
}

/** What a timed-out attempt records; retried like any failure, and caught by catchError. */
export function timeoutFailure(seconds: number): StepFailure {
  return { type: "Timeout", message: `timed out after ${seconds} s and was killed`, retryable: true };
}

/** The line a task prints on its stderr when it timed out and goes on to store its artifacts. */
export function timeoutNotice(step: string, seconds: number): string {
  return `Step '${step}' timed out after ${seconds} s: ${NOTICE_END}.`;
}

/** Whether a line of an attempt's stderr is its {@link timeoutNotice}: the runtime waits longer then. */
export function isTimeoutNotice(line: string): boolean {
  return line.startsWith("Step '") && line.endsWith(`: ${NOTICE_END}.`);
}

/**
 * Runs the step's function; resolves "timedOut" once `seconds` have passed since this process or
 * thread started (which is when the runtime started counting) and it has not settled. Its later
 * result, or rejection, is ignored.
 */
export async function runWithTimeout(
  step: () => unknown,
  seconds: number | undefined,
): Promise<"done" | "timedOut"> {
  const running = (async () => step())();
  if (seconds === undefined) {
    await running;
    return "done";
  }
  running.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"timedOut">((resolve) => {
    timer = setTimeout(() => resolve("timedOut"), timerDelay(seconds * 1000 - performance.now()));
  });
  try {
    return await Promise.race([running.then(() => "done" as const), expired]);
  } finally {
    clearTimeout(timer);
  }
}
