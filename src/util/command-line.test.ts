import assert from "node:assert/strict";
import { test } from "node:test";
import { splitCommandLine } from "./command-line.js";

test("a command line splits into words as a shell splits a simple one", () => {
  assert.deepEqual(splitCommandLine("  code   --new-window "), ["code", "--new-window"]);
  assert.deepEqual(splitCommandLine(`"/opt/My Browser/run" --x='a b' "say \\"hi\\"" it\\ s ''`), [
    "/opt/My Browser/run",
    "--x=a b",
    'say "hi"',
    "it s",
    "",
  ]);
  assert.equal(splitCommandLine("open 'unclosed"), undefined);
});
