// The input transformer as EventBridge applies it, on the examples of AWS's documentation
// (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html):
// an EC2 state-change event through a string template and through a JSON template.
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyInputTransformer } from "./input-transformer.js";

const event = {
  "detail-type": "EC2 Instance State-change Notification",
  source: "aws.ec2",
  detail: { "instance-id": "i-0123456789", state: "RUNNING" },
};
const InputPathsMap = { instance: "$.detail.instance-id", state: "$.detail.state" };

test("a string template gets the values as text", () => {
  const text = applyInputTransformer(
    { InputPathsMap, InputTemplate: '"<instance> is in state <state>"' },
    event,
  );
  assert.equal(JSON.parse(text), "i-0123456789 is in state RUNNING");
});

test("a JSON template gets strings quoted outside strings, as text inside them; a missing path is null", () => {
  const text = applyInputTransformer(
    {
      InputPathsMap: { ...InputPathsMap, missing: "$.detail.nothing", whole: "$.detail" },
      InputTemplate:
        '{"instance": <instance>, "state": "is <state>", "missing": <missing>, "detail": <whole>, "kept": "<other>"}',
    },
    event,
  );
  assert.deepEqual(JSON.parse(text), {
    instance: "i-0123456789",
    state: "is RUNNING",
    missing: null,
    detail: { "instance-id": "i-0123456789", state: "RUNNING" },
    kept: "<other>",
  });
});
