// The artifact preview shows numbers as they are: -0 stays -0 in a typed array, as it does alone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { previewRawStart, previewValue } from "./artifact-preview.js";

test("a typed array's -0 (loaded, or read from a raw blob too large to load) is shown as -0", () => {
  const values = new Float64Array([-0, 0, Number.NaN, -1.5]);
  assert.deepEqual(previewValue(values), {
    t: "typed",
    name: "Float64Array",
    len: 4,
    items: ["-0", "0", "NaN", "-1.5"],
  });
  const raw = previewRawStart("raw:Float64Array", Buffer.from(values.buffer), values.byteLength);
  assert.deepEqual(raw, { t: "typed", name: "Float64Array", len: 4, items: ["-0", "0", "NaN", "-1.5"] });
});
