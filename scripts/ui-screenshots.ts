// Rewrites the screenshots of docs/ui.md: runs a few example flows into a fresh datastore, serves
// it with `flowship ui` and photographs each page in headless Chromium.
//   node --import tsx scripts/ui-screenshots.ts
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser, startUi } from "../test/helpers/ui.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-screenshots-"));
const env = { ...process.env, FLOWSHIP_DATASTORE_ROOT: root, FLOWSHIP_USER: "alice", FORCE_COLOR: "0" };

function run(args: string[], extra: Record<string, string> = {}): string {
  const result = spawnSync(process.execPath, ["bin/flowship.js", ...args], {
    env: { ...env, ...extra },
    encoding: "utf8",
  });
  return /Running \w+\/(\S+) as/.exec(result.stderr)![1]!;
}

for (const tag of ["nightly", "nightly", "experiment"]) run(["examples/branch_flow.ts", "run", "--tag", tag]);
const failed = run(["test/fixtures/switches/recursive_switch.ts", "run", "--times", "5"], {
  FAIL_AT_ITERATION: "3",
});
const loop = run(["test/fixtures/switches/recursive_switch.ts", "run", "--times", "4"]);
const nested = run(["examples/nested_foreach_flow.ts", "run"]);
run(["examples/foreach_flow.ts", "run", "--count", "6"]);
const showcase = run(["test/fixtures/flows/ui_showcase.ts", "run"], { FAIL_END: "1", ITEMS: "12" });

const ui = await startUi(env);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const shots: Array<[string, string, string]> = [
    ["/", ".flow", "ui-flows.png"],
    ["/flows/BranchFlow?tag=nightly", ".run-row", "ui-flow.png"],
    [`/flows/NestedForeachFlow/runs/${nested}`, ".lane", "ui-run.png"],
    [`/flows/UiShowcase/runs/${showcase}`, ".lane", "ui-caught-run.png"],
    [`/flows/RecursiveSwitch/runs/${loop}/loop_step/0-2`, ".artifact", "ui-task.png"],
    [`/flows/UiShowcase/runs/${showcase}/start/0`, ".artifact", "ui-artifacts.png"],
    [`/flows/UiShowcase/runs/${showcase}/end/0`, ".log-line", "ui-log.png"],
    [`/flows/RecursiveSwitch/runs/${failed}`, ".lane", "ui-failed-run.png"],
  ];
  for (const [route, ready, file] of shots) {
    await page.goto(`${ui.url}${route}`);
    await page.waitForSelector(ready);
    await page.waitForNetworkIdle();
    await page.screenshot({ path: path.join("docs/images", file) });
    process.stderr.write(`docs/images/${file}\n`);
  }
} finally {
  await browser.close();
  await ui.stop();
  fs.rmSync(root, { recursive: true, force: true });
}
