/**
 * A failing step's alert (step-alert.ts): the error's first line, and a resume command that the
 * webhook's input template carries as valid JSON whatever the flow file is named.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { stepAlertWebhookTransformer } from "../deploy/notify.js";
import type { DeployTarget } from "../deploy/resource-names.js";
import { applyInputTransformer, type InputTransformer } from "../events/input-transformer.js";
import { firstLine, stepAlert } from "./step-alert.js";

const MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:ParameterFlow";
const FACTS = { flow: "ParameterFlow", runId: "sfn-3a9f2c41", step: "start", taskId: "0", error: "boom" };

describe("step alerts", () => {
  test("the first line that says something, joined to a bare type, cut without splitting a surrogate pair", () => {
    assert.equal(firstLine("Error: \n real cause\n  at start"), "Error: real cause");
    assert.equal(firstLine("\n\n  ValueError: bad alpha\nmore"), "ValueError: bad alpha");
    const cut = firstLine(`${"x".repeat(298)}😀😀😀`);
    assert.equal(cut, `${"x".repeat(298)}😀…`);
    // A lone surrogate would show as U+FFFD once encoded.
    assert.equal(Buffer.from(cut).toString(), cut);
  });

  test("a flow path with spaces, quotes or backslashes: the resume command is quoted and the webhook body stays JSON", () => {
    const target = { flow: "ParameterFlow", name: "ParameterFlow" } as DeployTarget;
    const spaced = stepAlert({ stateMachineArn: MACHINE, flowFile: "my flows/p flow.ts" }, FACTS);
    assert.equal(
      spaced.resume_command,
      "npx flowship 'my flows/p flow.ts' step-functions resume --origin-run-id sfn-3a9f2c41",
    );
    const odd = stepAlert({ stateMachineArn: MACHINE, flowFile: 'dir\\a "b".ts' }, FACTS);
    const event = { time: "2026-11-30T02:00:00Z", detail: { payload: odd } };
    const body = applyInputTransformer(stepAlertWebhookTransformer(target) as InputTransformer, event);
    const parsed = JSON.parse(body) as Record<string, string>;
    assert.equal(parsed.resume_command, odd.resume_command);
    assert.match(parsed.resume_command!, /^npx flowship 'dir\/a 'b'\.ts' step-functions resume/);
  });
});
