// `flowship ui` telling the truth about real runs of test/fixtures/flows/ui_showcase.ts, in one
// headless Chromium against one UI server: caught failures, retries and cancelled tasks show at
// run level; a failed attempt opens on its stack (stderr); a task that resume cloned shows its
// origin's output; artifacts of every kind as what they are, inside the page; and a run watched
// while it goes — its foreach's real width, its live log followed, searched and downloaded —
// then killed with SIGKILL: its unfinished tasks shown killed, and the pages stop polling.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, Page } from "puppeteer-core";
import { BIN, flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { launchBrowser, type RunningUi, startUi } from "../helpers/ui.js";

const FLOW = "test/fixtures/flows/ui_showcase.ts";
const root = path.join(tempDir("flowship-ui-runs-"), ".flowship");
const env = flowshipEnv(root);
let ui: RunningUi;
let browser: Browser;
let page: Page;
/** Failed at its end step, with a retry and a caught failure; resumed; an item failing while others run. */
let failedRun: string;
let resumedRun: string;
let cancelledRun: string;

async function ran(args: string[], extra: Record<string, string> = {}): Promise<string> {
  const result = await runCli(args, { env: { ...env, ...extra } });
  assert.ok(/Running UiShowcase\//.test(result.stderr), result.stderr);
  return runIdFrom(result.stderr);
}

before(async () => {
  [failedRun, cancelledRun] = await Promise.all([
    ran([FLOW, "run"], { FAIL_END: "1" }),
    ran([FLOW, "run", "--max-workers", "3"], { FAIL_ITEM: "0", SLOW_VISIT: "20000" }),
  ]);
  resumedRun = await ran([FLOW, "resume", "--origin-run-id", failedRun]);
  [ui, browser] = await Promise.all([startUi(env), launchBrowser()]);
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});
after(async () => {
  await browser?.close();
  await ui?.stop();
});

const text = (selector: string) => page.$eval(selector, (e) => e.textContent ?? "");
const state = (step: string) => page.$eval(`.node[data-step="${step}"]`, (n) => n.getAttribute("data-state"));
const runUrl = (run: string) => `${ui.url}/flows/UiShowcase/runs/${run}`;

describe("runs as they went", () => {
  test("a run's header counts its caught failures and retries; a caught step is not green", async () => {
    await page.goto(runUrl(failedRun));
    await page.waitForSelector('[data-testid="run-counts"]');
    assert.match(
      await text('[data-testid="run-counts"]'),
      /^1 task failed · 1 failure caught · 1 attempt retried/,
    );
    assert.equal(await state("risky"), "caught");
    assert.equal(await state("flaky"), "succeeded");
    assert.equal(await state("end"), "failed");
    assert.equal(
      await page.$eval('.lane[data-task="risky/0"]', (l) => l.getAttribute("data-state")),
      "caught",
    );
  });

  test("cancelled tasks are shown, and the items never started", async () => {
    await page.goto(runUrl(cancelledRun));
    await page.waitForSelector('[data-testid="run-counts"]');
    assert.match(await text('[data-testid="run-counts"]'), /1 task failed · \d tasks? cancelled/);
    const states = await page.$$eval('.lane[data-task^="visit/"]', (ls) =>
      ls.map((l) => l.getAttribute("data-state")),
    );
    assert.ok(states.includes("cancelled") && states.includes("failed"), states.join());
    assert.equal(await text('.node[data-step="start"] .note'), "foreach: 4 items");
    assert.match(await text('.node[data-step="start"] .breakdown'), /1 failed · \d cancelled/);
    assert.equal(await state("visit"), "failed");
  });

  test("a failed attempt opens on its stderr; another attempt is chosen from the keyboard", async () => {
    await page.goto(`${runUrl(failedRun)}/end/0`);
    await page.waitForSelector(".tab.active");
    assert.equal(await text(".tab.active"), "stderr");
    await page.waitForFunction(
      'document.querySelector(".log-stderr")?.textContent.includes("the end fails on purpose")',
    );
    assert.match(await text(".log-stderr"), /at .*ui_showcase\.ts:\d+/);
    // A caught failure's error is on stderr too: its page opens there.
    await page.goto(`${runUrl(failedRun)}/risky/0`);
    await page.waitForSelector(".tab.active");
    assert.equal(await text(".tab.active"), "stderr");
    // flaky: its last attempt worked (stdout); its first failed
    await page.goto(`${runUrl(failedRun)}/flaky/0`);
    await page.waitForFunction(
      'document.querySelector(".log-stdout")?.textContent.includes("second attempt works")',
    );
    await page.focus(".attempts tr:first-child .attempt-button");
    await page.keyboard.press("Enter");
    await page.waitForFunction(
      'document.querySelector(".log-stderr")?.textContent.includes("flaky fails on its first attempt")',
    );
  });

  test("a task that resume cloned shows its origin's output, with a link to it", async () => {
    await page.goto(`${runUrl(resumedRun)}/flaky/0`);
    await page.waitForSelector(".log-from");
    assert.equal(
      await page.$eval(".log-from a", (a) => a.getAttribute("href")),
      `/flows/UiShowcase/runs/${failedRun}/flaky/0`,
    );
    await page.waitForFunction(
      'document.querySelector(".log-stdout")?.textContent.includes("second attempt works")',
    );
  });

  test("artifacts of every kind are shown as what they are, inside the page", async () => {
    await page.goto(`${runUrl(failedRun)}/start/0`);
    await page.waitForSelector('.artifact[data-artifact="rows"] .value-table');
    const shown = Object.fromEntries(
      await page.$$eval(".artifact", (rows) =>
        rows.map((r) => [r.getAttribute("data-artifact"), r.querySelector(".value")?.textContent ?? ""]),
      ),
    );
    assert.match(shown.lookup, /^Map\(2\)paris → 1tokyo → 2$/);
    assert.match(shown.seen, /^Set\(2\)"a""b"$/);
    assert.equal(shown.when, "Date 2026-05-01T12:00:00.000Z");
    assert.equal(shown.big, "12345678901234567890n");
    assert.equal(shown.pattern, "RegExp /ab+c/gi");
    assert.equal(shown.floats, "Float64Array(3) [1.5, 2.5, 3.5]");
    assert.match(
      shown.raw,
      /00000000 {2}48 65 6c 6c 6f 2c 20 66 6c 6f 77 73 68 69 70 21 {2}\|Hello, flowship!\|/,
    );
    assert.equal(
      await page.$eval('.artifact[data-artifact="poem"] pre.text', (p) => p.textContent),
      "first line\nsecond line\n\tindented third",
    );
    assert.match(shown.long, /The first 65,536 of 100,000 characters/);
    // nothing is wider than the window
    assert.ok(((await page.evaluate("document.documentElement.scrollWidth")) as number) <= 1280);
    // the table of 200 records: paged, and sorted by a column (descending on the second click)
    const table = '.artifact[data-artifact="rows"]';
    assert.equal((await page.$$(`${table} tbody tr`)).length, 25);
    assert.match(await text(`${table} .pager`), /rows 1–25 of 200/);
    await page.click(`${table} th:nth-child(2) button`);
    await page.click(`${table} th:nth-child(2) button`);
    assert.equal(await text(`${table} tbody tr:first-child td:nth-child(2)`), "100");
    await page.click(`${table} .pager button:last-of-type`);
    assert.match(await text(`${table} .pager`), /rows 26–50 of 200/);
  });
});

describe("a run watched while it goes, then killed", () => {
  let child: ChildProcess;
  let runId: string;
  before(async () => {
    child = spawn(process.execPath, [BIN, FLOW, "run", "--max-workers", "2"], {
      cwd: REPO,
      // Visits last a minute: the run must still be going when it is killed, however slowly a
      // loaded machine gets through the first test (the reaper ends the tasks with the runtime).
      env: { ...env, ITEMS: "12", SLOW_VISIT: "60000", CHATTY_ITEM: "0" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    for (let waited = 0; !/Running UiShowcase\/\S+ as/.test(stderr); waited += 50) {
      assert.ok(waited < 30_000, stderr);
      await sleep(50);
    }
    runId = runIdFrom(stderr);
    const started = path.join(root, "UiShowcase/runs", runId, "steps/visit/0/0.start.json");
    for (let waited = 0; !fs.existsSync(started); waited += 50) {
      assert.ok(waited < 30_000, stderr);
      await sleep(50);
    }
  });
  after(() => {
    child?.kill("SIGKILL");
  });

  test("its live log follows the new lines, numbered and timed, searchable and downloadable", async () => {
    await page.goto(`${runUrl(runId)}/visit/0`);
    await page.waitForFunction(
      'document.querySelector(".log-stdout")?.textContent.includes("chatty line 179")',
      {
        timeout: 20_000,
      },
    );
    const gap = await page.$eval(".log", (l) => l.scrollHeight - l.scrollTop - l.clientHeight);
    assert.ok(gap < 24, `the last line is ${gap} px below the view`);
    assert.deepEqual(
      await page.$eval(".log-line:last-child", (l) => [
        l.querySelector(".ln")!.textContent,
        l.querySelector(".lx")!.textContent,
      ]),
      ["180", "chatty line 179"],
    );
    assert.match(await text(".log-line:last-child .lt"), /^\d\d:\d\d:\d\d$/);
    await page.type(".log-search", "line 17");
    await page.waitForSelector(".match-count");
    assert.match(await text(".match-count"), /^11 matches/);
    const href = await page.$eval(".log-download", (a) => a.getAttribute("href")!);
    const raw = await (await fetch(`${ui.url}${href}`)).text();
    assert.equal(raw.split("\n").filter((l) => l.startsWith("chatty line")).length, 180);
  });

  test("its foreach shows its real width while items are pending; killed, its unfinished tasks show as killed and polling stops", async () => {
    await page.goto(runUrl(runId));
    await page.waitForSelector('.node[data-step="start"] .breakdown');
    assert.equal(await text('.node[data-step="start"] .note'), "foreach: 12 items");
    await page.waitForFunction(
      'document.querySelector(\'.node[data-step="start"] .breakdown\').textContent.includes("pending")',
    );
    assert.equal(await state("visit"), "running");
    assert.equal(await state("join"), "not-reached");
    // when: the runtime is killed
    child.kill("SIGKILL");
    // then
    await page.waitForSelector('.run-page[data-status="killed"]', { timeout: 15_000 });
    assert.equal(await state("visit"), "killed");
    assert.ok((await page.$$('.lane[data-state="killed"]')).length >= 1);
    assert.equal((await page.$$('.lane[data-state="running"], .bar-running')).length, 0);
    assert.match(await text('.node[data-step="start"] .breakdown'), /never started/);
    const killedTask = await page.$eval('.lane[data-state="killed"]', (l) => l.getAttribute("data-task")!);
    let reads = 0;
    const count = (request: { url(): string }) => {
      if (request.url().includes("/api/")) reads++;
    };
    page.on("request", count);
    await sleep(2500);
    assert.equal(reads, 0, "the run page still reads the run");
    await page.goto(`${runUrl(runId)}/${killedTask}`);
    await page.waitForSelector('.task-page[data-state="killed"]');
    await page.waitForNetworkIdle({ idleTime: 300 });
    reads = 0;
    await sleep(2500);
    page.off("request", count);
    assert.equal(reads, 0, "the task page still reads the task");
    // and the flow's page gives it no duration (it never ended), not one growing to now
    await page.goto(`${ui.url}/flows/UiShowcase?status=killed`);
    await page.waitForSelector(`.run-row[data-run="${runId}"]`);
    assert.equal(await text(`.run-row[data-run="${runId}"] td:nth-child(4)`), "unknown");
  });
});
