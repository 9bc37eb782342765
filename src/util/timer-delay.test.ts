import assert from "node:assert/strict";
import { test } from "node:test";
import { MAX_TIMER_MS, timerDelay } from "./timer-delay.js";

test("timerDelay keeps a delay within what Node's timers take", () => {
  assert.equal(timerDelay(1500), 1500);
  assert.equal(timerDelay(-5), 0);
  assert.equal(timerDelay(30 * 86_400_000), MAX_TIMER_MS);
  // A timer armed with the longest delay does not fire at once (Node warns and fires after 1 ms past it).
  const timer = setTimeout(() => assert.fail("fired"), timerDelay(Number.MAX_SAFE_INTEGER));
  clearTimeout(timer);
});
