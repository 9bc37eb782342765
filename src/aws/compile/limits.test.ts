import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { environment } from "../../flow/decorators.js";
import { type Flow, flow } from "../../flow/flow-builder.js";
import { validateFlow } from "../../graph/validate.js";
import { compileStateMachine } from "./compile-state-machine.js";
import { historyEvents, MAX_HISTORY_EVENTS } from "./execution-history.js";
import { LIMITS } from "./limits.js";
import { checkStateName } from "./naming.js";

const noop = () => {};

/** start → s1 → … → s<n-2> → end, each step with the given extra environment. */
function linearFlow(name: string, steps: number, vars: Record<string, string> = {}): Flow {
  const built = flow(name);
  const decorators = Object.keys(vars).length > 0 ? [environment({ vars })] : [];
  const names = ["start", ...Array.from({ length: steps - 2 }, (_, i) => `s${i + 1}`), "end"];
  names.forEach((step, i) => {
    if (step === "end") built.step(step, noop, { decorators });
    else built.step(step, noop, { next: names[i + 1]!, decorators });
  });
  return built;
}

const foreachFlow = () =>
  flow("WideForeach")
    .step("start", noop, { foreach: "xs", next: "body" })
    .step("body", noop, { next: "join" })
    .step("join", noop, { join: true, next: "end" })
    .step("end", noop);

describe("limits", () => {
  test("a 300-step linear flow compiles far under every limit", () => {
    // when
    const { stats, foreaches } = compileStateMachine(validateFlow(linearFlow("ThreeHundred", 300)));
    // then
    assert.equal(stats.steps, 300);
    assert.ok(stats.bytesPerStep <= 2048, `${stats.bytesPerStep} bytes per step`);
    assert.ok(stats.definitionBytes < LIMITS.definitionBytes / 2, `${stats.definitionBytes} bytes`);
    assert.ok(stats.largestOverrides.chars < LIMITS.containerOverridesChars / 10);
    assert.ok(stats.estimatedPayloadBytes < LIMITS.payloadBytes / 10);
    assert.ok(stats.parametersBudgetChars > 7000);
    assert.ok(stats.baseHistoryEvents < LIMITS.historyEvents / 10);
    assert.deepEqual(foreaches, []);
  });

  test("container overrides longer than Batch accepts are refused, naming the step", () => {
    // given
    const big = linearFlow("BigEnv", 2, { BIG: "x".repeat(9000) });
    // when / then
    assert.throws(
      () => compileStateMachine(validateFlow(big)),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "FS_SFN_OVERRIDES_TOO_LARGE");
        assert.match(
          error.message,
          /^Batch ContainerOverrides length of state 'start' exceeded by step 'start' of flow 'BigEnv': \d+ characters, the limit is 8191\./,
        );
        return true;
      },
    );
  });

  test("the parameters' share of the start step's overrides shrinks with its environment", () => {
    const plain = compileStateMachine(validateFlow(linearFlow("Plain", 2))).stats;
    const heavy = compileStateMachine(validateFlow(linearFlow("Heavy", 2, { X: "y".repeat(1000) }))).stats;
    assert.equal(
      plain.parametersBudgetChars - heavy.parametersBudgetChars,
      1000 + '{"Name":"X","Value":""},'.length,
    );
  });

  test("a definition over 1 MB is refused", () => {
    // given: each step's overrides stay under 8 KB, the whole does not fit in 1 MB
    const huge = linearFlow("Huge", 200, { BIG: "x".repeat(6000) });
    // when / then
    assert.throws(() => compileStateMachine(validateFlow(huge)), { code: "FS_SFN_DEFINITION_TOO_LARGE" });
  });

  test("an inline foreach's indices fit the 256 KB payload at the widest its history allows", () => {
    const { stats, foreaches } = compileStateMachine(validateFlow(foreachFlow()), { maxWorkers: 10 });
    assert.equal(foreaches[0]!.mode, "inline");
    assert.ok(stats.estimatedPayloadBytes < LIMITS.payloadBytes / 4, `${stats.estimatedPayloadBytes} bytes`);
  });

  test("state names over 80 characters are refused", () => {
    assert.equal(checkStateName("x".repeat(80), { flow: "F" }), "x".repeat(80));
    assert.throws(() => checkStateName("x".repeat(81), { flow: "F", step: "s" }), {
      code: "FS_SFN_BAD_NAME",
      message: `Invalid state name for step 's' of flow 'F': '${"x".repeat(81)}' (1 to 80 characters). Give the step a shorter name.`,
    });
  });

  test("an inline foreach may be as wide as 90% of 25,000 history events allow, the rest left for retries", () => {
    // when
    const { definition, foreaches } = compileStateMachine(validateFlow(foreachFlow()), { maxWorkers: 10 });
    // then
    const width = foreaches[0]!.maxWidth;
    assert.ok(width > 100);
    assert.ok(historyEvents(definition.States, width) <= MAX_HISTORY_EVENTS * 0.9);
    assert.ok(historyEvents(definition.States, width + 1) > MAX_HISTORY_EVENTS * 0.9);
  });
});
