// Runs flows that break graph rules through the real CLI's `check`, expecting the exact
// one-line message located at the line marked `// <-`.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { runCli } from "./cli.js";
import { flowSource } from "./datastore.js";

export interface GraphCase {
  name: string;
  /** The flow's chain; the line holding `// <-` is the one the message must point at. */
  body: string;
  message: string;
}

/** `.step(name, () => {}, { next: <next><extra> })`, one line. */
export const S = (name: string, next: string, extra = "") =>
  `  .step("${name}", () => {}, { next: ${next}${extra} })`;

export function writeGraphCase(dir: string, c: GraphCase, index: number): { file: string; line: number } {
  const source = flowSource(`export default ${c.body}`);
  const file = path.join(dir, `case_${index}.ts`);
  fs.writeFileSync(file, source);
  const line = source.split("\n").findIndex((l) => l.includes("// <-")) + 1;
  return { file, line };
}

/** One test per case: `check` exits 1 with exactly `error: file:line: message`. */
export function testGraphCases(cases: readonly GraphCase[], dir: string, env: NodeJS.ProcessEnv): void {
  cases.forEach((c, index) => {
    test(c.name, async () => {
      // given
      const { file, line } = writeGraphCase(dir, c, index);
      // when
      const result = await runCli([file, "check"], { env });
      // then
      assert.equal(result.stderr, `error: ${file}:${line}: ${c.message}\n`);
      assert.equal(result.code, 1);
    });
  });
}
