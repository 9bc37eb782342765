// Cards in a real headless Chromium: every component of examples/card_flow.ts renders on its task
// page under the UI's content security policy (checked in the DOM and by a screenshot), hostile
// Markdown runs no script, a card a running task refreshes updates on the open page without a
// reload, a task resume cloned links to the task that drew its cards (and `card get` follows it
// there: the one resume run serves both), and `card view`'s file renders with the network off.
// One browser, one UI server.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { Browser, Page } from "puppeteer-core";
import { Task } from "../../src/client/index.js";
import { BIN, flowshipEnv, REPO, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { launchBrowser, type RunningUi, startUi } from "../helpers/ui.js";

/** The page's document, in the functions that run in the browser (this file is typed for Node). */
declare const document: any;

const dir = tempDir();
const root = path.join(dir, ".flowship");
const env = flowshipEnv(root);
const go = path.join(dir, "go");
let browser: Browser;
let page: Page;
let ui: RunningUi;
let exampleRun: string;
let liveRun: string;
let live: ChildProcess;
let viewFile: string;
let resumedRun: string;
const cspErrors: string[] = [];

/** Starts card_live.ts and resolves with its run id once its `live` task has published a card. */
async function startLiveRun(): Promise<string> {
  live = spawn(process.execPath, [BIN, "test/fixtures/flows/card_live.ts", "run"], {
    cwd: REPO,
    env: { ...env, CARD_GO_FILE: go },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  live.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  for (let i = 0; i < 600; i++) {
    const id = /Running CardLive\/(\S+) as/.exec(stderr)?.[1];
    const task = id
      ? await Task.get(`CardLive/${id}/live/0`, { datastore: root, namespace: null }).catch(() => undefined)
      : undefined;
    if (id && task && (await task.cards()).length > 0) return id;
    await sleep(50);
  }
  throw new Error(`the live card never appeared:\n${stderr}`);
}

before(async () => {
  const opener = path.join(dir, "opener.sh");
  fs.writeFileSync(opener, "#!/bin/sh\n", { mode: 0o755 });
  const [example, started] = await Promise.all([
    runCli(["examples/card_flow.ts", "run", "--delay", "0"], { env }),
    launchBrowser(),
  ]);
  browser = started;
  assert.equal(example.code, 0, example.stderr);
  exampleRun = runIdFrom(example.stderr);
  const [view, server, id, resumed] = await Promise.all([
    runCli(["examples/card_flow.ts", "card", "view", `${exampleRun}/train/0`], {
      env: { ...env, FLOWSHIP_OPEN_COMMAND: opener, TMPDIR: dir },
    }),
    startUi(env),
    startLiveRun(),
    // A resume that clones `train`: its clone drew no cards, its origin did.
    runCli(["examples/card_flow.ts", "resume", "end", "--origin-run-id", exampleRun], { env }),
  ]);
  assert.equal(view.code, 0, view.stderr);
  assert.equal(resumed.code, 0, resumed.stderr);
  resumedRun = runIdFrom(resumed.stderr);
  viewFile = view.stdout.trim();
  ui = server;
  liveRun = id;
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
  });
});

after(async () => {
  fs.writeFileSync(go, "");
  live?.kill("SIGKILL");
  await browser?.close();
  await ui?.stop();
});

describe("cards in the UI", () => {
  test("every component of the example renders on its task page, images and charts within the page's policy", async () => {
    // when
    await page.goto(`${ui.url}/flows/CardFlow/runs/${exampleRun}/train/0`);
    const host = await page.waitForSelector('.card-host[data-card="default"] .fs-chart');
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".card-host img")].every(
        (i) => (i as { naturalWidth: number }).naturalWidth > 0,
      ),
    );
    // then: in the DOM
    const facts = await page.$eval('.card-host[data-card="default"]', (card) => ({
      title: card.querySelector(".fs-card-head h2")?.textContent,
      components: [...card.querySelectorAll("[data-component]")].map((c) => c.getAttribute("data-component")),
      heading: card.querySelector(".fs-markdown h1")?.textContent,
      epochs: card.querySelectorAll(".fs-table tbody tr").length,
      images: [...card.querySelectorAll("img")].map((i) => [
        i.getAttribute("alt"),
        (i as { naturalWidth: number }).naturalWidth,
      ]),
      lines: card.querySelectorAll(".mark-line").length,
      points: card.querySelectorAll(".mark-point").length,
      bars: card.querySelectorAll(".mark-bar").length,
      progress: (card.querySelector("progress") as { value: number } | null)?.value,
    }));
    assert.equal(facts.title, "Training report");
    assert.deepEqual([...new Set(facts.components)].sort(), [
      "chart",
      "image",
      "markdown",
      "progress",
      "table",
    ]);
    assert.equal(facts.heading, "Training");
    assert.ok(facts.epochs >= 6, `${facts.epochs} table rows`);
    assert.deepEqual(facts.images.map(([alt]) => alt).sort(), [
      "confusion matrix",
      "step train of flow CardFlow",
    ]);
    assert.ok(
      facts.images.every(([, width]) => Number(width) > 0),
      "every image loaded",
    );
    assert.deepEqual([facts.lines, facts.points, facts.bars, facts.progress], [1, 6, 3, 6]);
    assert.deepEqual(cspErrors, []);
    // then: on screen — a chart drawn in colour, not a blank box (a blank PNG compresses to almost nothing)
    const shot = Buffer.from(await host!.screenshot());
    assert.equal(shot.subarray(1, 4).toString(), "PNG");
    assert.ok(
      shot.readUInt32BE(16) >= 300 && shot.length > 8000,
      `chart screenshot ${shot.readUInt32BE(16)} px wide, ${shot.length} bytes`,
    );
  });

  test("hostile Markdown and titles run no script and keep no event handler", async () => {
    // when
    await page.goto(`${ui.url}/flows/CardLive/runs/${liveRun}/start/0`);
    await page.waitForSelector('.card-host[data-card="evil"] table');
    await page.hover(".card-host .fs-markdown p");
    const link = await page.$(".card-host .fs-markdown p");
    await link!.click();
    await sleep(200);
    // then
    const found = await page.evaluate(() => ({
      pwned: (globalThis as { pwned?: string }).pwned,
      scripts: document.querySelectorAll(
        ".cards script, .cards iframe, .cards img[src='x'], .cards svg[onload]",
      ).length,
      handlers: [...document.querySelectorAll(".cards *")].flatMap((e) =>
        [...e.attributes].map((a) => a.name).filter((n) => n.startsWith("on")),
      ),
      hrefs: [...document.querySelectorAll(".cards a")].map((a) => a.getAttribute("href")),
      text: document.querySelector(".cards")?.textContent ?? "",
    }));
    assert.equal(found.pwned, undefined, "no hostile script ran");
    assert.deepEqual([found.scripts, found.handlers, found.hrefs], [0, [], []]);
    assert.match(found.text, /<script>globalThis.pwned = 'script'<\/script>/, "raw HTML is shown as text");
    assert.match(found.text, /data image data link/, "data: targets are refused: their labels are text");
    assert.equal(page.url(), `${ui.url}/flows/CardLive/runs/${liveRun}/start/0`);
    // then: the SVG with script is an <img> that loaded, and opened as a document of its own
    // (its /api/card-images URL) its sandbox policy keeps its script from running
    await page.waitForFunction(
      () => (document.querySelector('.card-host img[alt="hostile svg"]')?.naturalWidth ?? 0) > 0,
    );
    const svg = await page.$eval('.card-host img[alt="hostile svg"]', (i) => ({
      src: i.getAttribute("src") as string,
      width: (i as { naturalWidth: number }).naturalWidth,
    }));
    assert.deepEqual([svg.src.startsWith("/api/card-images/CardLive/"), svg.width], [true, 20]);
    const opened = await browser.newPage();
    try {
      const response = await opened.goto(`${ui.url}${svg.src}`);
      assert.equal(response?.headers()["content-type"], "image/svg+xml");
      await sleep(100);
      assert.equal(await opened.evaluate(() => (globalThis as { pwned?: string }).pwned), undefined);
    } finally {
      await opened.close();
    }
  });

  test("a card the running task refreshes updates on the open page without a reload", async () => {
    // given: the task page of the task while it waits
    await page.goto(`${ui.url}/flows/CardLive/runs/${liveRun}/live/0`);
    await page.waitForFunction(() =>
      document.querySelector(".card-host")?.textContent?.includes("first update"),
    );
    assert.equal(await page.$eval(".task-page", (p) => p.getAttribute("data-status")), "running");
    assert.equal(await page.$eval(".card-host .fs-card", (c) => c.getAttribute("data-final")), "false");
    await page.evaluate(() => {
      (globalThis as { marker?: number }).marker = 1;
    });
    // when
    fs.writeFileSync(go, "");
    // then
    await page.waitForFunction(
      () => document.querySelector(".card-host .fs-card")?.getAttribute("data-final") === "true",
      { timeout: 30_000 },
    );
    const text = await page.$eval(".card-host", (c) => c.textContent);
    assert.match(text ?? "", /first update.*second update/s);
    assert.equal(await page.evaluate(() => (globalThis as { marker?: number }).marker), 1, "no reload");
  });

  test("a cloned task links to its origin on its page, and card get shows the origin's cards", async () => {
    // when
    await page.goto(`${ui.url}/flows/CardFlow/runs/${resumedRun}/train/0`);
    const link = await page.waitForSelector(".clone-notice a");
    // then
    assert.equal(
      await link!.evaluate((a) => a.getAttribute("href")),
      `/flows/CardFlow/runs/${exampleRun}/train/0`,
    );
    await link!.click();
    await page.waitForSelector('.card-host[data-card="default"] .fs-chart');
    assert.equal(page.url(), `${ui.url}/flows/CardFlow/runs/${exampleRun}/train/0`);
    // when: the clone's cards on the command line
    const got = await runCli(["examples/card_flow.ts", "card", "get", `${resumedRun}/train/0`], { env });
    // then: the origin's, with a note saying whose
    assert.equal(got.code, 0, got.stderr);
    assert.equal(
      got.stderr,
      `note: resume cloned task 'CardFlow/${resumedRun}/train/0' from 'CardFlow/${exampleRun}/train/0', which drew its cards: showing those.\n`,
    );
    assert.match(got.stdout, new RegExp(`<title>CardFlow/${exampleRun}/train/0 \\(attempt 0\\)</title>`));
    assert.match(got.stdout, /<h2>Training report<\/h2>/);
  });

  test("card view's file renders with the network off", async () => {
    // given
    const offline = await browser.newPage();
    await offline.setOfflineMode(true);
    await offline.setRequestInterception(true);
    const requested: string[] = [];
    offline.on("request", (request) => {
      requested.push(request.url());
      void request.continue();
    });
    try {
      // when
      await offline.goto(`file://${viewFile}`);
      // then
      const facts = await offline.evaluate(() => ({
        kinds: [
          ...new Set(
            [...document.querySelectorAll("[data-component]")].map((c) => c.getAttribute("data-component")),
          ),
        ],
        images: [...document.querySelectorAll("img")].map(
          (i) => (i as { naturalWidth: number }).naturalWidth,
        ),
        marks: document.querySelectorAll(".mark-line, .mark-point, .mark-bar").length,
      }));
      assert.deepEqual(facts.kinds.sort(), ["chart", "image", "markdown", "progress", "table"]);
      assert.ok(facts.images.length === 2 && facts.images.every((w) => w > 0), JSON.stringify(facts.images));
      assert.equal(facts.marks, 10);
      assert.deepEqual(
        requested.filter((url) => !url.startsWith("data:")),
        [`file://${viewFile}`],
      );
    } finally {
      await offline.close();
    }
  });
});
