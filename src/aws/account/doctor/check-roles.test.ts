import assert from "node:assert/strict";
import { test } from "node:test";
import { trustPolicy } from "../iam-policies.js";
import { sampleResource } from "./check-permissions.js";
import { roleName, trustedServices } from "./check-roles.js";

test("the services a trust policy lets assume the role, as IAM returns it (URL-encoded) or plain", () => {
  // given
  const document = JSON.stringify(trustPolicy("stepFunctions", "123456789012"));
  // when / then
  assert.deepEqual(trustedServices(encodeURIComponent(document)), ["states.amazonaws.com"]);
  assert.deepEqual(trustedServices(document), ["states.amazonaws.com"]);
  const denied = JSON.stringify({
    Statement: [
      { Effect: "Deny", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" },
      {
        Effect: "Allow",
        Principal: { Service: ["a.amazonaws.com", "b.amazonaws.com"] },
        Action: ["sts:TagSession"],
      },
      { Effect: "Allow", Principal: { Service: ["c.amazonaws.com"] }, Action: ["sts:AssumeRole"] },
    ],
  });
  assert.deepEqual(trustedServices(denied), ["c.amazonaws.com"]);
  assert.deepEqual(trustedServices("not json"), []);
});

test("a role's name is its ARN's last path segment", () => {
  assert.equal(
    roleName("arn:aws:iam::123456789012:role/teams/data/flowship-batch-job"),
    "flowship-batch-job",
  );
});

test("a generated resource's wildcards become a sample name, an account wildcard the account", () => {
  assert.equal(
    sampleResource("arn:aws:states:eu-west-1:123456789012:stateMachine:*", "123456789012"),
    "arn:aws:states:eu-west-1:123456789012:stateMachine:flowship-doctor",
  );
  assert.equal(
    sampleResource("arn:aws:iam::*:role/aws-service-role/x/Y", "123456789012"),
    "arn:aws:iam::123456789012:role/aws-service-role/x/Y",
  );
  assert.equal(sampleResource("*", "123456789012"), "*");
});
