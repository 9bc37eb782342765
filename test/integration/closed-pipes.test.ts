// `flowship … | head -2`: when the reader of stdout goes away, a command does not crash with an
// unhandled EPIPE. `run` finishes the run (its output is in the datastore) and exits with the
// run's status; `logs` stops quietly.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { describe, test } from "node:test";
import { BIN, flowshipEnv, REPO, runIdFrom, tempDir } from "../helpers/cli.js";

const FLOW = path.join(REPO, "test/fixtures/flows/chatty.ts");
const root = path.join(tempDir(), ".flowship");

/** Runs the CLI with stdout read until `keep` bytes arrived, then closed, as `| head` does. */
function withStdoutClosedEarly(
  args: string[],
  keep: number,
): Promise<{ code: number | null; stderr: string; kept: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: REPO,
      env: flowshipEnv(root, { PRINT_KB: "2048" }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let kept = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      kept += chunk.toString("utf8");
      if (kept.length >= keep) child.stdout.destroy();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr, kept }));
  });
}

describe("a reader that goes away", () => {
  let runId = "";

  test("run goes on to the end and exits with the run's status", async () => {
    const result = await withStdoutClosedEarly([FLOW, "run"], 2048);
    assert.doesNotMatch(result.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /Done: run ChattyFlow\/\d+ succeeded/);
    runId = runIdFrom(result.stderr);
  });

  test("logs stops quietly", async () => {
    assert.ok(runId, "the run above succeeded");
    const result = await withStdoutClosedEarly([FLOW, "logs", `${runId}/start`], 2048);
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.ok(result.kept.startsWith("x".repeat(1023)));
  });
});
