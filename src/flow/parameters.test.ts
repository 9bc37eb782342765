import assert from "node:assert/strict";
import { test } from "node:test";
import { checkParameterValue, type ParameterSpec } from "./parameters.js";

test("a default function's number for an untyped parameter names the type to give", () => {
  // given: .parameter("n", { default: () => 5 }), typed "string" as its default's result is unknown
  const spec: ParameterSpec = {
    name: "n",
    type: "string",
    required: false,
    default: () => 5,
    hasDefault: true,
  };
  // then
  assert.throws(() => checkParameterValue("F", spec, 5, "default"), {
    code: "FS_PARAM_VALUE",
    message:
      "Invalid default for parameter 'n' of flow 'F': expected string, got 5 (a parameter whose default is a function is a string unless it gives a type: add type: \"number\").",
  });
  // a declared string parameter given a number by its plain default gets no such hint
  assert.throws(() => checkParameterValue("F", { ...spec, default: 5 }, 5, "default"), {
    message: "Invalid default for parameter 'n' of flow 'F': expected string, got 5.",
  });
});
