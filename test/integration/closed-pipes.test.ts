// `flowship … | head -2`: when the reader of stdout goes away, a command does not crash with an
// unhandled EPIPE. `run` finishes the run (its output is in the datastore) and exits with the
// run's status; `logs` stops quietly.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { BIN, flowshipEnv, REPO, runIdFrom, runNode, tempDir } from "../helpers/cli.js";

const FLOW = path.join(REPO, "test/fixtures/flows/chatty.ts");
const root = path.join(tempDir(), ".flowship");

/** Node's arguments for the CLI's two doors: bin/flowship.js, and the flow file run by tsx (its `.run()`). */
const DOORS = { bin: [BIN], tsx: ["--import", "tsx"] } as const;

/** Runs the CLI with stdout read until `keep` bytes arrived, then closed, as `| head` does. */
function withStdoutClosedEarly(
  args: string[],
  keep: number,
  door: readonly string[] = DOORS.bin,
): Promise<{ code: number | null; stderr: string; kept: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...door, ...args], {
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
    const tsx = await withStdoutClosedEarly([FLOW, "logs", `${runId}/start`], 2048, DOORS.tsx);
    assert.deepEqual({ code: tsx.code, stderr: tsx.stderr }, { code: 0, stderr: "" }, "through tsx");
  });
});

describe("output lost to a full disk (stdout is /dev/full)", {
  skip: !fs.existsSync("/dev/full") && "no /dev/full",
}, () => {
  test("is one line on stderr and exit 1, through either door, not a success or a stack", async () => {
    const runId = runIdFrom((await runNode([BIN, FLOW, "run"], { env: flowshipEnv(root) })).stderr);
    for (const [door, node] of Object.entries(DOORS)) {
      const full = fs.openSync("/dev/full", "w");
      const child = spawn(process.execPath, [...node, FLOW, "logs", `${runId}/start`], {
        cwd: REPO,
        env: flowshipEnv(root),
        stdio: ["ignore", full, "pipe"],
      });
      fs.closeSync(full);
      let stderr = "";
      child.stderr!.on("data", (chunk: Buffer) => {
        stderr += chunk.toString("utf8");
      });
      const code = await new Promise((resolve) => child.on("close", resolve));
      assert.deepEqual({ code, door }, { code: 1, door });
      assert.match(stderr, /^error: Could not write the output to stdout \(ENOSPC: [^\n]*\n$/, door);
    }
  });
});
