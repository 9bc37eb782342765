/**
 * The longest delay Node's timers take: one over 2^31 − 1 ms (24.8 days) fires after 1 ms instead
 * (with a warning). A local wait longer than that — a step's timeout or a pause between retries of
 * weeks, which production honours in full — is cut to it: it still waits, it never fires at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a timer can be armed with: within 0 and MAX_TIMER_MS. */
export function timerDelay(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}
