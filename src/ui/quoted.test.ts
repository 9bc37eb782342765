// How the UI quotes a string artifact or a parameter (ui/app/quoted.ts), without a browser.
import assert from "node:assert/strict";
import { test } from "node:test";
import { quoted } from "./app/quoted.js";

test("a quoted value shows its bidi controls as escapes, so none can reorder what follows it", () => {
  // Drawn as is, U+202E would show `"reportexe.txt"`, its closing quote moved to the middle.
  assert.equal(quoted("report\u202etxt.exe"), '"report\\u202etxt.exe"');
  assert.equal(quoted({ name: "a\u2066b\u2069\u200f" }), '{"name":"a\\u2066b\\u2069\\u200f"}');
  assert.equal(quoted("plain \u00e9 \u65e5\u672c \n"), '"plain \u00e9 \u65e5\u672c \\n"');
});
