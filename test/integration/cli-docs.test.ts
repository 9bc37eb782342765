// docs/cli.md is generated from the CLI's --help: it must match what the CLI prints today.
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { renderCliDocs } from "../../scripts/cli-docs.js";

test("docs/cli.md is up to date (regenerate with: node --import tsx scripts/cli-docs.ts)", () => {
  assert.equal(fs.readFileSync("docs/cli.md", "utf8"), renderCliDocs());
});
