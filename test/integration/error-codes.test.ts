// docs/errors.md is generated from the source: every FS_* code, where it is raised and what it means.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { renderErrorCatalogue } from "../../scripts/error-codes.js";

test("docs/errors.md is up to date (regenerate with: node --import tsx scripts/error-codes.ts)", () => {
  assert.equal(fs.readFileSync("docs/errors.md", "utf8"), renderErrorCatalogue("src"));
});

test("the catalogue takes each code's meaning from where it is raised, not where it is compared", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-errors-"));
  try {
    fs.mkdirSync(path.join(dir, "demo"));
    fs.writeFileSync(
      path.join(dir, "demo", "raise.ts"),
      [
        "export function f(name: string, message: string) {",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: the source text of a template literal
        "  if (name) throw new FlowshipError(\"FS_DEMO_NEW\", `Bad demo '${name}': ${describe(name)}.`);",
        '  throw new UsageError(message.length > 1 ? "Too long." : "Empty.", "FS_DEMO_USAGE");',
        "}",
        "/** A demo refused: the message is built by the caller. */",
        "export class DemoError extends FlowshipError {",
        '  constructor(message: string) { super("FS_DEMO_CLASS", message); }',
        "}",
      ].join("\n"),
    );
    fs.writeFileSync(
      path.join(dir, "demo", "use.ts"),
      'export const seen = (e: { code: string }) => e.code === "FS_DEMO_NEW" || ["FS_DEMO_USAGE"].length;\n',
    );
    fs.writeFileSync(
      path.join(dir, "demo", "use.test.ts"),
      'throw new FlowshipError("FS_DEMO_TEST", "x");\n',
    );
    const rows = renderErrorCatalogue(dir)
      .split("\n")
      .filter((line) => line.startsWith("| `FS_"));
    assert.deepEqual(rows, [
      "| `FS_DEMO_CLASS` | A demo refused: the message is built by the caller. | `demo/raise.ts` |",
      "| `FS_DEMO_NEW` | Bad demo '‹name›': ‹…›. | `demo/raise.ts` |",
      "| `FS_DEMO_USAGE` | Too long. | `demo/raise.ts` |",
    ]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
