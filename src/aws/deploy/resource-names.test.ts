// Names and ARNs of a deployment, derived without any lookup.
import assert from "node:assert/strict";
import { test } from "node:test";
import { testSettings } from "../../../test/helpers/deploy-fixtures.js";
import {
  deployTarget,
  executionArnOf,
  runIdOf,
  scheduleName,
  triggerRuleName,
  versionNumber,
} from "./resource-names.js";

test("the account and partition come from the Step Functions role", () => {
  const settings = {
    ...testSettings("s3://b/p"),
    region: "cn-north-1",
    sfnRole: "arn:aws-cn:iam::210987654321:role/sfn",
  };
  const target = deployTarget(settings, "ParameterFlow", "Staging");
  assert.equal(target.stateMachineArn, "arn:aws-cn:states:cn-north-1:210987654321:stateMachine:Staging");
  assert.equal(target.aliasArn, "arn:aws-cn:states:cn-north-1:210987654321:stateMachine:Staging:production");
  assert.equal(
    executionArnOf(target, "sfn-abc"),
    "arn:aws-cn:states:cn-north-1:210987654321:execution:Staging:abc",
  );
});

test("run ids and version numbers", () => {
  assert.equal(runIdOf("arn:aws:states:eu-west-1:1:execution:F:0b6f-11"), "sfn-0b6f-11");
  assert.equal(versionNumber("arn:aws:states:eu-west-1:1:stateMachine:F:12"), 12);
});

test("schedule and rule names fit EventBridge's 64 characters", () => {
  assert.equal(scheduleName("ParameterFlow"), "flowship-ParameterFlow");
  const long = "F".repeat(80);
  for (const name of [scheduleName(long), triggerRuleName(long)]) {
    assert.equal(name.length, 64);
    assert.match(name, /^flowship-F+-[0-9a-f]{12}$/);
  }
  assert.notEqual(scheduleName(long), scheduleName(`${"F".repeat(79)}G`));
});
