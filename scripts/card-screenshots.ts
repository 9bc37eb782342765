// Rewrites the screenshots of docs/cards.md: runs examples/card_flow.ts into a fresh datastore,
// photographs its card on the UI's task page and in the file `card get` writes.
//   node --import tsx scripts/card-screenshots.ts
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { launchBrowser, startUi } from "../test/helpers/ui.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-card-screenshots-"));
const env = { ...process.env, FLOWSHIP_DATASTORE_ROOT: root, FLOWSHIP_USER: "alice", FORCE_COLOR: "0" };

function cli(args: string[]) {
  return spawnSync(process.execPath, ["bin/flowship.js", "examples/card_flow.ts", ...args], {
    env,
    encoding: "utf8",
  });
}

const runId = /Running \w+\/(\S+) as/.exec(cli(["run"]).stderr)![1]!;
const file = path.join(root, "card.html");
fs.writeFileSync(file, cli(["card", "get", `${runId}/train/0`]).stdout);

const ui = await startUi(env);
const browser = await launchBrowser();
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1100, height: 900 });
  await page.goto(`${ui.url}/flows/CardFlow/runs/${runId}/train/0`);
  await page.waitForSelector(".card-host .fs-chart");
  await page.waitForNetworkIdle();
  const clip = await page.$eval(".task-page", (element) => {
    const box = element.getBoundingClientRect();
    return { x: 0, y: 0, width: 1100, height: Math.min(box.bottom, 1500) };
  });
  await page.screenshot({ path: "docs/images/card-ui.png", clip });
  await page.goto(`file://${file}`);
  await page.screenshot({
    path: "docs/images/card-file.png",
    clip: { x: 0, y: 0, width: 1100, height: 900 },
  });
  process.stderr.write("docs/images/card-ui.png\ndocs/images/card-file.png\n");
} finally {
  await browser.close();
  await ui.stop();
  fs.rmSync(root, { recursive: true, force: true });
}
