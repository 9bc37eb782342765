import assert from "node:assert/strict";
import { test } from "node:test";
import { compareTaskIds, sortTaskIds } from "./task-id.js";

test("sortTaskIds orders ids as compareTaskIds does, by their numbers, as a listing never does", () => {
  // given: a listing's (lexical) order
  const listed = ["0", "1", "10", "1.10", "1.9", "2", "0-10", "0-2", "x"];
  // when
  const sorted = sortTaskIds(listed);
  // then
  assert.deepEqual(sorted, [...listed].sort(compareTaskIds));
  assert.deepEqual(sorted, ["0", "0-2", "0-10", "1", "1.9", "1.10", "2", "10", "x"]);
  assert.deepEqual(listed[2], "10", "the input is left as it was");
});
