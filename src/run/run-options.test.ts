// The decisions a local run takes from its options before any task starts: which decorators a
// step runs with (`--with` under the step's own), and how far a loop may go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { catchError, retry, timeout } from "../flow/decorators.js";
import { flow } from "../flow/flow-builder.js";
import type { StepSpec } from "../flow/types.js";
import { DEFAULT_LOCAL_MAX_LOOP_ITERATIONS, effectiveDecorators, localLoopLimit } from "./run-options.js";

const noop = () => {};
const spec = flow("Decorated")
  .step("start", noop, { next: "fan", decorators: [retry({ times: 1 })] })
  .step("fan", noop, { next: "body", foreach: "items" })
  .step("body", noop, { next: "end" })
  .step("end", noop);
const step = (name: string): StepSpec => spec.steps.find((s) => s.name === name)!;

test("--with adds a decorator to steps without their own of that kind; the step's own wins", () => {
  // given
  const added = [retry({ times: 5 }), timeout({ seconds: 30 })];
  // when
  const start = effectiveDecorators(step("start"), added);
  const body = effectiveDecorators(step("body"), added);
  // then
  assert.deepEqual(
    start.map((d) => (d.kind === "retry" ? `retry ${d.options.times}` : d.kind)),
    ["retry 1", "timeout"],
  );
  assert.deepEqual(
    body.map((d) => (d.kind === "retry" ? `retry ${d.options.times}` : d.kind)),
    ["retry 5", "timeout"],
  );
});

test("--with catchError leaves out foreach steps: a caught failure would leave nothing to fan out over", () => {
  const added = [catchError({ var: "failure" })];
  assert.deepEqual(effectiveDecorators(step("fan"), added), []);
  assert.deepEqual(
    effectiveDecorators(step("body"), added).map((d) => d.kind),
    ["catch"],
  );
});

test("a loop's bound: --max-loop-iterations, else what fits on Step Functions, else the local default", () => {
  const fit = { loopIterationsThatFit: { head: 120 } };
  assert.equal(localLoopLimit({ ...fit, maxLoopIterations: 7 }, "head").max, 7);
  assert.equal(localLoopLimit(fit, "head").max, 120);
  assert.equal(localLoopLimit(fit, "other").max, DEFAULT_LOCAL_MAX_LOOP_ITERATIONS);
});
