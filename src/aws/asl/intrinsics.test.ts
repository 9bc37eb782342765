import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  escapeIntrinsicLiteral,
  ref,
  statesArrayLength,
  statesFormat,
  statesStringToJson,
} from "./intrinsics.js";

describe("intrinsic functions", () => {
  test("statesFormat joins literal text and run-time paths", () => {
    // given / when
    const text = statesFormat("sfn-", ref("$$.Execution.Name"), "/", ref("$.taskId"));
    // then
    assert.equal(text, "States.Format('sfn-{}/{}', $$.Execution.Name, $.taskId)");
  });

  test("literal text with quotes, braces and backslashes is escaped", () => {
    assert.equal(escapeIntrinsicLiteral("it's {x} \\ y"), "it\\'s \\{x\\} \\\\ y");
    assert.equal(statesFormat("{", ref("$.a"), "}"), "States.Format('\\{{}\\}', $.a)");
  });

  test("only simple reference paths are accepted", () => {
    assert.throws(() => ref("$.a, $.b"), /Not a simple reference path/);
    assert.throws(() => ref("taskId"), /Not a simple reference path/);
    assert.equal(statesStringToJson("$.Body"), "States.StringToJson($.Body)");
    assert.equal(statesArrayLength("$"), "States.ArrayLength($)");
  });
});
