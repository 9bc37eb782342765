// The summary `run` prints agrees with the Client API: a failure caught by catchError is counted
// as caught, not succeeded (task.successful is false for it, as in Metaflow); tasks stopped
// because a sibling failed are cancelled, not failed, in the summary and in their records.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { writeFlowFile } from "../helpers/datastore.js";

const dir = tempDir();
const root = path.join(dir, ".flowship");
const env = flowshipEnv(root);
const options = { datastore: root, namespace: null };

function writeFlow(name: string, body: string): string {
  return writeFlowFile(dir, name, body);
}

/** How many tasks of each step the Client API calls successful, and how many failed with `type`. */
async function clientCounts(pathspec: string, step: string) {
  const tasks = await (await (await Run.get(pathspec, options)).step(step)).tasks();
  return {
    successful: tasks.filter((t) => t.successful).length,
    caught: tasks.filter((t) => t.finished && !t.successful).length,
    byType: tasks.map((t) => t.exception?.type ?? "none").sort(),
  };
}

describe("run summary", () => {
  test("a caught failure is counted as caught, as the Client API sees it", async () => {
    const file = writeFlow(
      "caught",
      `export default flow("CaughtSummary")
  .step("start", (self) => { self.items = [1, 2, 3]; }, { foreach: "items", next: "work" })
  .step("work", (self) => { if (self.input === 2) throw new Error("boom"); }, { next: "join", decorators: [catchError({ var: "err" })] })
  .step("join", () => {}, { join: true, next: "end" })
  .step("end", () => {});`,
    );
    const result = await runCli([file, "run"], { env });
    assert.equal(result.code, 0, result.stderr);
    const runId = runIdFrom(result.stderr);
    assert.match(result.stderr, /succeeded in [\d.]+ s \(5 tasks succeeded, 1 failure caught\)\n/);
    assert.match(result.stderr, /^ {2}work {17}2\/3 tasks succeeded, 1 failure caught$/m);
    assert.deepEqual(await clientCounts(`CaughtSummary/${runId}`, "work"), {
      successful: 2,
      caught: 1,
      byType: ["Error", "none", "none"],
    });
  });

  test("siblings stopped after one foreach task fails are cancelled, not failed", async () => {
    const file = writeFlow(
      "failing",
      `import fs from "node:fs";
export default flow("FailingSummary")
  .step("start", (self) => { self.items = [0, 1, 2, 3]; }, { foreach: "items", next: "work" })
  .step("work", async (self) => {
    // Item 0 fails once a sibling has started (however long its host took to start), then 300 ms on.
    const started = process.env.SUMMARY_STARTED!;
    if (self.input === 0) {
      for (const deadline = Date.now() + 30_000; Date.now() < deadline && fs.readdirSync(started).length === 0; )
        await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      throw new Error("boom");
    }
    fs.writeFileSync(\`\${started}/\${self.input}\`, "");
    await new Promise((r) => setTimeout(r, 60_000));
  }, { next: "join" })
  .step("join", () => {}, { join: true, next: "end" })
  .step("end", () => {});`,
    );
    for (const isolation of ["host", "process"]) {
      const started = fs.mkdtempSync(path.join(dir, "started-"));
      const result = await runCli([file, "run", "--isolation", isolation], {
        env: { ...env, SUMMARY_STARTED: started },
        killAfterMs: 50_000,
      });
      assert.equal(result.code, 1, result.stderr);
      const runId = runIdFrom(result.stderr);
      // Siblings that had started when item 0 failed are cancelled. One stopped before it recorded
      // its start (waiting for a task host, or still loading) never ran: it is no task in the
      // Client API, and the summary counts it as not run, so that the step's counts add up.
      const counts = await clientCounts(`FailingSummary/${runId}`, "work");
      const cancelled = counts.byType.filter((type) => type === "Cancelled").length;
      assert.ok(cancelled >= 1, `${isolation}: ${cancelled} cancelled`);
      const notRun = cancelled < 3 ? `, ${3 - cancelled} not run` : "";
      assert.deepEqual(counts, {
        successful: 0,
        caught: 0,
        byType: [...Array.from({ length: cancelled }, () => "Cancelled"), "Error"],
      });
      assert.match(
        result.stderr,
        new RegExp(
          `failed in [\\d.]+ s \\(1 tasks succeeded, 1 failed, ${cancelled} cancelled${notRun}\\)\\n`,
        ),
      );
      assert.match(
        result.stderr,
        new RegExp(`^ {2}work {17}0/4 tasks succeeded, 1 failed, ${cancelled} cancelled${notRun}$`, "m"),
      );
    }
  });
});
