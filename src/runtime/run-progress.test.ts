// The run's counts and summary, driven as the scheduler drives them: each attempt's outcome
// (succeeded, caught, retried, failed, cancelled, withdrawn, handed to a fallback) counted per
// step, in graph order, with only the outcomes that happened.
import assert from "node:assert/strict";
import { test } from "node:test";
import { flow } from "../flow/flow-builder.js";
import { validateFlow } from "../graph/validate.js";
import { RunProgress } from "./run-progress.js";

const noop = () => {};
const graph = validateFlow(
  flow("Fan")
    .step("start", noop, { next: "work", foreach: "items" })
    .step("work", noop, { next: "join" })
    .step("join", noop, { next: "end", join: true })
    .step("end", noop),
);

function progressOf(): { progress: RunProgress; lines: string[] } {
  const lines: string[] = [];
  return { progress: new RunProgress({ graph, print: (line) => lines.push(line) }), lines };
}

test("a run whose every attempt went well sums up its tasks per step, in graph order", () => {
  // given: the steps recorded out of order, as tasks of different steps end
  const { progress, lines } = progressOf();
  for (const step of ["start", "work", "work", "join", "end"]) progress.queued(step);
  for (const step of ["end", "join", "work", "work", "start"]) {
    progress.started(step);
    progress.succeeded(step);
  }
  // when
  progress.printSummary("Fan/1", "succeeded");
  // then
  assert.match(lines[0]!, /^Done: run Fan\/1 succeeded in \d+\.\d s \(5 tasks succeeded\)$/);
  assert.deepEqual(lines.slice(1), [
    `  ${"start".padEnd(20)} 1/1 tasks succeeded`,
    `  ${"work".padEnd(20)} 2/2 tasks succeeded`,
    `  ${"join".padEnd(20)} 1/1 tasks succeeded`,
    `  ${"end".padEnd(20)} 1/1 tasks succeeded`,
  ]);
});

test("a retried, a caught, a failed and a cancelled task each count once, as what became of them", () => {
  // given: four work tasks
  const { progress, lines } = progressOf();
  progress.queued("start");
  progress.started("start");
  progress.succeeded("start");
  for (let i = 0; i < 4; i++) progress.queued("work");
  // the first fails twice, then succeeds
  for (const outcome of ["retried", "retried"] as const) {
    progress.started("work");
    progress.attemptFailed("work", outcome);
  }
  progress.started("work");
  progress.succeeded("work");
  // the second dies, and its fallback attempt records the failure for catchError
  progress.started("work");
  progress.handedToFallback("work");
  progress.started("work");
  progress.succeeded("work", true);
  // the third fails for good; the fourth is stopped by that failure, and a fifth attempt never began
  progress.started("work");
  progress.attemptFailed("work", "failed");
  progress.started("work");
  progress.attemptFailed("work", "cancelled");
  progress.started("work");
  progress.withdrawn("work");
  // when
  progress.printProgress();
  progress.printSummary("Fan/2", "failed");
  // then: nothing is left running
  assert.match(lines[0]!, /: 3\/5 tasks done, 0 running, 1 failed — start 1\/1, work 2\/4$/);
  assert.match(
    lines[1]!,
    /^Failed: run Fan\/2 failed in \d+\.\d s \(2 tasks succeeded, 1 failure caught, 1 failed, 1 cancelled, 2 attempts retried\)$/,
  );
  assert.equal(
    lines[3],
    `  ${"work".padEnd(20)} 1/4 tasks succeeded, 1 failure caught, 1 failed, 1 cancelled, 2 attempts retried`,
  );
  assert.equal(lines.length, 4, "steps with no task are left out");
});

test("progress names the tasks running in each step", () => {
  // given
  const { progress, lines } = progressOf();
  for (let i = 0; i < 3; i++) {
    progress.queued("work");
    progress.started("work");
  }
  progress.succeeded("work");
  // when
  progress.printProgress();
  // then
  assert.match(
    lines[0]!,
    /^progress \d+\.\d s: 1\/3 tasks done, 2 running, 0 failed — work 1\/3 \(2 running\)$/,
  );
});

test("tasks a failure left queued count as not run, so that a step's counts add up to its tasks", () => {
  // given: a 40-item foreach whose first item fails while the second runs, and 38 wait their turn
  const { progress, lines } = progressOf();
  for (let i = 0; i < 40; i++) progress.queued("work");
  progress.started("work");
  progress.started("work");
  progress.attemptFailed("work", "failed");
  progress.attemptFailed("work", "cancelled");
  // when
  progress.printSummary("Fan/3", "failed");
  // then
  assert.match(lines[0]!, /\(0 tasks succeeded, 1 failed, 1 cancelled, 38 not run\)$/);
  assert.equal(lines[1], `  ${"work".padEnd(20)} 0/40 tasks succeeded, 1 failed, 1 cancelled, 38 not run`);
});
