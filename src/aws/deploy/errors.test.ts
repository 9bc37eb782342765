// AwsCallError's one line: the SDK's parse errors (an answer that is not AWS's) and messages that
// end with a period of their own. The CLI's view of both is in test/integration/aws-stack-cli.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AwsCallError } from "./errors.js";

/** An error as the SDK throws it when it cannot read the body. */
function unreadable(name: string, message: string, status: number): Error {
  return Object.assign(new Error(message), {
    name,
    $response: { statusCode: status },
    $metadata: { httpStatusCode: status },
  });
}

test("an answer the SDK cannot read is one line naming the service, the status and the format", () => {
  const hidden =
    "\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.";
  const xml = new AwsCallError({
    operation: "cloudformation:DescribeStacks",
    subject: "flowship",
    error: unreadable("Error", `@aws-sdk XML parse error: unexpected content.${hidden}`, 200),
  });
  assert.equal(
    xml.message,
    "AWS call cloudformation:DescribeStacks failed for 'flowship': unexpected answer from cloudformation (HTTP 200, not XML). Check that nothing between flowship and AWS (a proxy, AWS_ENDPOINT_URL) answers instead of AWS, and try again.",
  );
  const json = new AwsCallError({
    operation: "states:DescribeStateMachine",
    subject: "m",
    error: unreadable("SyntaxError", `Unexpected token '<', "<html>" is not valid JSON${hidden}`, 502),
  });
  assert.match(json.message, /: unexpected answer from states \(HTTP 502, not JSON\)\. /);
  assert.equal(json.code, "FS_AWS_CALL");
});

test("a message ending with a period gets no second one, and a remedy may be the caller's", () => {
  const error = new AwsCallError({
    operation: "cloudformation:CreateChangeSet",
    subject: "s",
    error: Object.assign(new Error("Template format error.\n  At line 2."), { name: "ValidationError" }),
    remedy: "See the stack's events",
  });
  assert.equal(
    error.message,
    "AWS call cloudformation:CreateChangeSet failed for 's': ValidationError: Template format error. At line 2. See the stack's events.",
  );
});
