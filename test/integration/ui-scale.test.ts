// `flowship ui` over a datastore too large to make by running flows (300 runs of one flow, a run of
// 1,200 tasks, a 2 MB log), written by flowship's own record writer once, read by one UI server
// and one headless Chromium: every run reachable (a flow's page, paged and filtered, its filters
// a link), the flows page by latest activity with each latest failure, reading only the newest
// runs; a wide run's timeline grouped, drawn only where it is seen, sorted and filtered; a log
// opened on its tail and then read only by its new bytes; titles, a 404 with a way back, times in
// UTC or local time, keyboard access and AA contrast.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "puppeteer-core";
import type { FlowRunsView, FlowView, LogChunk } from "../../src/ui/views.js";
import { flowshipEnv, tempDir } from "../helpers/cli.js";
import {
  storeValue,
  syntheticStore,
  writeSyntheticRun,
  writeSyntheticTask,
} from "../helpers/synthetic-datastore.js";
import { launchBrowser, type RunningUi, startUi } from "../helpers/ui.js";

const root = path.join(tempDir("flowship-ui-scale-"), ".flowship");
const HOUR = 3_600_000;
const now = Date.now();
const WIDTH = 1200;
const LONG_NAME = "summarize_everything_with_a_rather_long_name";
let ui: RunningUi;
let browser: Browser;
let page: Page;
let wideRun: string;
let tailRun: string;

/** ManyRuns: 300 runs ten minutes apart, by alice and bob, some nightly, some on branch prod, every 7th failed. */
async function manyRuns(): Promise<void> {
  const store = syntheticStore(root, "ManyRuns");
  for (let i = 0; i < 300; i++) {
    const at = now - 60 * HOUR + i * 10 * 60_000;
    await writeSyntheticRun(store, {
      runId: String(at),
      startedAt: new Date(at),
      user: i % 3 === 0 ? "alice" : "bob",
      tags: i % 10 === 0 ? ["nightly"] : [],
      systemTags: i % 4 === 0 ? ["project:shop", "project_branch:prod"] : [],
      status: i % 7 === 3 ? "failed" : "succeeded",
      reason: `train/0: ValueError: run ${i} diverged\n    at train (flow.ts:12)`,
      pointers: i === 299,
    });
  }
}

/**
 * Ancient: 60 runs, the oldest's record a named pipe. Reading it would block the server for
 * good, so the flows page answering at all shows that it reads only the newest runs' records.
 */
async function ancientRuns(): Promise<void> {
  const store = syntheticStore(root, "Ancient");
  for (let i = 0; i < 60; i++) {
    const at = now - 500 * HOUR + i * HOUR;
    await writeSyntheticRun(store, {
      runId: String(at),
      startedAt: new Date(at),
      status: "succeeded",
      pointers: false,
    });
  }
  const oldest = path.join(root, "Ancient/runs", String(now - 500 * HOUR), "run.json");
  fs.rmSync(oldest);
  assert.equal(spawnSync("mkfifo", [oldest]).status, 0);
}

/** WideRun: a foreach of 1,200 items (some retried, some caught, the last failed), a step of a long name never reached. */
async function wide(): Promise<void> {
  const store = syntheticStore(root, "WideRun");
  const started = now - 2 * HOUR;
  wideRun = String(started);
  await writeSyntheticRun(store, {
    runId: wideRun,
    startedAt: new Date(started),
    status: "failed",
    reason: `body/${WIDTH - 1}: Error: the last item fails`,
    steps: [
      { name: "start", type: "foreach", next: ["body"] },
      { name: "body", type: "linear", next: ["join"] },
      { name: "join", type: "join", next: [LONG_NAME] },
      { name: LONG_NAME, type: "linear", next: ["end"] },
      { name: "end", type: "end", next: [] },
    ],
  });
  const items = await storeValue(
    store,
    "items",
    Array.from({ length: WIDTH }, (_, i) => `item-${i}`),
  );
  await writeSyntheticTask(store, wideRun, {
    step: "start",
    taskId: "0",
    startedAt: new Date(started),
    ms: 50,
    status: "succeeded",
    foreach: { var: "items", numSplits: WIDTH },
    artifacts: { items },
  });
  for (let i = 0; i < WIDTH; i++) {
    await writeSyntheticTask(store, wideRun, {
      step: "body",
      taskId: String(i),
      startedAt: new Date(started + 100 + i * 5),
      ms: 100 + ((i * 37) % 1000),
      failedAttempts: i % 100 === 7 ? 1 : 0,
      status: i === WIDTH - 1 ? "failed" : i % 250 === 11 ? "caught" : "succeeded",
      foreachStack: [{ step: "start", index: i, numSplits: WIDTH, items }],
    });
  }
}

/** Tail: a running run (this process is its runtime) whose one task has printed 2 MB so far. */
async function tail(): Promise<string> {
  const store = syntheticStore(root, "Tail");
  tailRun = String(now - HOUR);
  await writeSyntheticRun(store, { runId: tailRun, startedAt: new Date(now - HOUR), status: "running" });
  await writeSyntheticTask(store, tailRun, {
    step: "start",
    taskId: "0",
    startedAt: new Date(now - HOUR),
    ms: 0,
    status: "running",
  });
  const log = path.join(root, "Tail/runs", tailRun, "steps/start/0/0.stdout.log");
  const line = (i: number) => `line ${String(i).padStart(6, "0")} ${"·".repeat(40)}\n`;
  fs.writeFileSync(log, Array.from({ length: 20_000 }, (_, i) => line(i)).join(""));
  return log;
}

let tailLog: string;
before(async () => {
  await Promise.all([manyRuns(), ancientRuns(), wide()]);
  tailLog = await tail();
  ui = await startUi(flowshipEnv(root));
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
});
after(async () => {
  await browser?.close();
  await ui?.stop();
});

const api = async <T>(url: string): Promise<T> => {
  const response = await fetch(`${ui.url}${url}`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(response.status, 200, url);
  return (await response.json()) as T;
};
const text = (selector: string) => page.$eval(selector, (e) => e.textContent ?? "");
/** Waits until a filter offers a value (its options come with the runs). */
const hasOption = (name: string, value: string) =>
  page.waitForFunction(
    `[...document.querySelectorAll('select[name="${name}"] option')].some((o) => o.value === "${value}")`,
  );
const runIds = () => page.$$eval(".run-row", (rows) => rows.map((r) => r.getAttribute("data-run")!));

describe("every run reachable", () => {
  test("the flows page: by latest activity, each latest failure's reason, reading only the newest runs", async () => {
    // when: the flows page is read (Ancient's oldest record would block any reader of every run)
    const flows = await api<FlowView[]>("/api/flows");
    // then
    assert.deepEqual(
      flows.map((f) => f.name),
      ["Tail", "WideRun", "ManyRuns", "Ancient"],
    );
    const many = flows.find((f) => f.name === "ManyRuns")!;
    assert.equal(many.runCount, 300);
    assert.equal(many.runs.length, 5);
    assert.deepEqual(many.latestFailure?.reason, "train/0: ValueError: run 297 diverged");
    await page.goto(`${ui.url}/`);
    await page.waitForSelector('.flow[data-flow="ManyRuns"] .latest-failure');
    assert.match(await text('.flow[data-flow="ManyRuns"] .latest-failure'), /run 297 diverged/);
    assert.equal(await page.title(), "Flows · flowship");
    await page.click('.flow[data-flow="ManyRuns"] .more a');
    await page.waitForSelector(".flow-page .run-row");
    assert.equal(new URL(page.url()).pathname, "/flows/ManyRuns");
    assert.equal(await page.title(), "ManyRuns · flowship");
  });

  test("a flow's page lists all its runs, paged, filtered and searched, its filters a link", async () => {
    // given: the newest first, 50 a page
    await page.goto(`${ui.url}/flows/ManyRuns`);
    await page.waitForSelector(".run-row");
    assert.equal((await runIds()).length, 50);
    assert.match(await text('[data-testid="runs-summary"]'), /Runs 1–50 of 300, newest first/);
    // when: the next page
    await page.click(".pager button:last-of-type");
    await page.waitForFunction(
      'document.querySelector("[data-testid=runs-summary]").textContent.includes("51–100")',
    );
    assert.equal(new URL(page.url()).search, "?page=2");
    // when: failed runs by alice on branch prod
    await hasOption("status", "failed");
    await page.select('select[name="status"]', "failed");
    await page.waitForFunction('location.search.includes("status=failed")');
    await hasOption("user", "alice");
    await page.select('select[name="user"]', "alice");
    await page.waitForFunction('location.search.includes("user=alice")');
    await hasOption("branch", "prod");
    await page.select('select[name="branch"]', "prod");
    await page.waitForFunction('location.search.includes("branch=prod")');
    // then: i % 7 == 3, i % 3 == 0, i % 4 == 0 of 0..299
    const expected = Array.from({ length: 300 }, (_, i) => i).filter(
      (i) => i % 7 === 3 && i % 3 === 0 && i % 4 === 0,
    );
    await page.waitForFunction(`document.querySelectorAll(".run-row").length === ${expected.length}`);
    assert.ok(
      (await runIds()).every((id) => expected.map((i) => String(now - 60 * HOUR + i * 600_000)).includes(id)),
    );
    const link = page.url();
    // the same link opened afresh shows the same runs, its filters set
    const fresh = await browser.newPage();
    await fresh.goto(link);
    await fresh.waitForFunction(`document.querySelectorAll(".run-row").length === ${expected.length}`);
    assert.equal(
      await fresh.$eval('select[name="user"]', (s) => (s as unknown as { value: string }).value),
      "alice",
    );
    await fresh.close();
    // the API filters by tag, by start time, and searches run ids and tags
    const nightly = await api<FlowRunsView>("/api/flows/ManyRuns/runs?tag=nightly&limit=200");
    assert.equal(nightly.matched, 30);
    const since = new Date(now - 60 * HOUR + 290 * 600_000).toISOString();
    assert.equal((await api<FlowRunsView>(`/api/flows/ManyRuns/runs?since=${since}`)).matched, 10);
    const oneId = String(now - 60 * HOUR + 123 * 600_000);
    assert.deepEqual(
      (await api<FlowRunsView>(`/api/flows/ManyRuns/runs?q=${oneId}`)).runs.map((r) => r.id),
      [oneId],
    );
    assert.equal((await api<FlowRunsView>("/api/flows/ManyRuns/runs?q=NIGHT")).matched, 30);
    const bad = await fetch(`${ui.url}/api/flows/ManyRuns/runs?since=yesterday`);
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { error: string }).error, /^Invalid since 'yesterday'/);
  });
});

describe("a run of 1,200 tasks", () => {
  test("its timeline is grouped by step, drawn only where seen, sorted and filtered, rows labelled with their items", async () => {
    await page.goto(`${ui.url}/flows/WideRun/runs/${wideRun}`);
    await page.waitForSelector('.lane.group[data-step="body"]');
    // the body's 1,200 tasks start closed: one summary row
    assert.equal((await page.$$('.lane[data-task^="body/"]')).length, 0);
    assert.match(await text('.node[data-step="start"] .note'), /^foreach: 1,200 items$/);
    assert.match(await text('.node[data-step="start"] .breakdown'), /1,199 done · 1 failed/);
    // when: opened from the keyboard
    await page.focus('.lane.group[data-step="body"] button');
    await page.keyboard.press("Enter");
    await page.waitForSelector('.lane[data-task="body/0"]');
    // then: only the rows in view exist, labelled with their items
    const drawn = (await page.$$('.lane[data-task^="body/"]')).length;
    assert.ok(drawn > 10 && drawn < 120, `${drawn} rows drawn`);
    assert.equal(await text('.lane[data-task="body/5"] .lane-label'), "body/5 · item-5");
    // scrolled to the end, the last rows are drawn and the time axis is still in view
    await page.$eval(".timeline", (t) => {
      t.scrollTop = t.scrollHeight;
    });
    await page.waitForSelector(`.lane[data-task="body/${WIDTH - 1}"]`);
    const [axisTop, boxTop] = await page.$eval(".timeline", (t) => [
      t.querySelector(".axis")!.getBoundingClientRect().top,
      t.getBoundingClientRect().top,
    ]);
    assert.ok(Math.abs(axisTop - boxTop) <= 2, `axis at ${axisTop}, box at ${boxTop}`);
    // when: the longest first
    await page.select(".timeline-tools select", "duration");
    await page.$eval(".timeline", (t) => {
      t.scrollTop = 0;
    });
    // A retried task's two attempts both count.
    const took = (i: number) => (i % 100 === 7 ? 2 : 1) * (100 + ((i * 37) % 1000));
    const longest = Array.from({ length: WIDTH }, (_, i) => i).sort((a, b) => took(b) - took(a) || a - b)[0]!;
    await page.waitForFunction(
      `document.querySelector('.lane[data-task^="body/"]')?.getAttribute("data-task") === "body/${longest}"`,
    );
    // when: failed or retried only
    await page.click(".timeline-tools input[type=checkbox]");
    const troubled = Array.from({ length: WIDTH }, (_, i) => i).filter(
      (i) => i === WIDTH - 1 || i % 100 === 7 || i % 250 === 11,
    );
    await page.waitForFunction(
      `document.querySelector(".timeline").dataset.rows === "${troubled.length + 1}"`,
    );
    const states = await page.$$eval('.lane[data-task^="body/"]', (ls) =>
      ls.map((l) => l.getAttribute("data-state")),
    );
    assert.ok(states.includes("failed") && states.includes("caught"), states.join());
  });

  test("the graph: boxes fit their names, steps never reached link nowhere, in-page links land", async () => {
    await page.goto(`${ui.url}/flows/WideRun/runs/${wideRun}`);
    const node = await page.waitForSelector(`.node[data-step="${LONG_NAME}"]`);
    const [nameWidth, boxWidth] = await node!.evaluate((n) => [
      (n.querySelector(".name") as unknown as { getBBox(): { width: number } }).getBBox().width,
      (n.querySelector(".box") as unknown as { getBBox(): { width: number } }).getBBox().width,
    ]);
    assert.ok(nameWidth + 8 <= boxWidth, `name ${nameWidth} px in a box of ${boxWidth} px`);
    assert.equal(await page.$(`a .node[data-step="${LONG_NAME}"]`), null);
    assert.equal(
      await page.$eval(`.node[data-step="${LONG_NAME}"]`, (n) => n.getAttribute("data-state")),
      "not-reached",
    );
    // every link within the page names an element that is there
    const targets = await page.$$eval("a[href^='#']", (links) =>
      links.map((l) => l.getAttribute("href")!.slice(1)),
    );
    for (const id of targets) assert.ok(await page.$(`[id="${decodeURIComponent(id)}"]`), `#${id}`);
    // a step's node opens its group in the timeline
    await page.click('a .node[data-step="body"]');
    await page.waitForSelector('.lane[data-task="body/0"]');
  });
});

describe("a log of 2 MB, growing", () => {
  test("opens on its tail, then reads only the bytes added", async () => {
    const url = `/api/logs/Tail/${tailRun}/start/0?stream=stdout&attempt=0`;
    const size = fs.statSync(tailLog).size;
    // when: opened
    const first = await api<LogChunk>(url);
    // then: the last 256 KiB, from a whole line
    assert.ok(first.start > size - 256 * 1024 && first.start < size - 200 * 1024, String(first.start));
    assert.match(first.text, /^line \d{6} /);
    assert.equal(first.next, size);
    assert.equal(first.finished, false);
    // when: a line and half of another are printed
    fs.appendFileSync(tailLog, "a new line\nhalf of ");
    const next = await api<LogChunk>(`${url}&offset=${first.next}`);
    // then: only the new whole line comes
    assert.equal(next.text, "a new line\n");
    assert.equal(next.start, size);
    // and the page follows it: the end in view, new lines appended as they come
    await page.goto(`${ui.url}/flows/Tail/runs/${tailRun}/start/0`);
    await page.waitForFunction('document.querySelector(".log")?.textContent.includes("a new line")');
    assert.match(await text(".log-skipped"), /The first 1\.\d MiB are not shown/);
    fs.appendFileSync(tailLog, "the other half\n");
    await page.waitForFunction(
      'document.querySelector(".log")?.textContent.includes("half of the other half")',
    );
    const gap = await page.$eval(".log", (l) => l.scrollHeight - l.scrollTop - l.clientHeight);
    assert.ok(gap < 24, `the end is ${gap} px below the view`);
  });
});

describe("pages for people", () => {
  test("a 404 says so and leads back; a missing run leads to its flow", async () => {
    await page.goto(`${ui.url}/no/such/page`);
    await page.waitForSelector('[data-testid="not-found"]');
    assert.equal(await page.title(), "Not found · flowship");
    assert.ok(await page.$('[data-testid="not-found"] a[href="/"]'));
    await page.goto(`${ui.url}/flows/ManyRuns/runs/123`);
    await page.waitForSelector('[data-testid="not-found"]');
    assert.ok(await page.$('[data-testid="not-found"] a[href="/flows/ManyRuns"]'));
  });

  test("times in UTC or local time, with how long ago", async () => {
    await page.emulateTimezone("Asia/Tokyo");
    await page.goto(`${ui.url}/flows/WideRun/runs/${wideRun}`);
    await page.waitForSelector(".facts time");
    const utc = await text(".facts time");
    assert.match(utc, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(2 h ago\)$/);
    await page.click(".zone button:last-of-type");
    const local = await text(".facts time");
    const hours = (t: string) => Number(/ (\d\d):/.exec(t)![1]);
    assert.equal((hours(utc) + 9) % 24, hours(local));
    assert.doesNotMatch(local, /Z /);
    await page.click(".zone button:first-of-type");
    await page.emulateTimezone("UTC");
  });

  test("every text meets WCAG AA contrast on the flows, flow, run and task pages", async () => {
    // Each page with what shows last on it: the runs, the timeline's rows, the task's log.
    for (const [url, ready] of [
      ["/", ".run-row"],
      ["/flows/ManyRuns?status=failed", ".run-row"],
      [`/flows/WideRun/runs/${wideRun}`, ".lane[data-task]"],
      [`/flows/WideRun/runs/${wideRun}/body/7`, ".log-panel .muted, .log-line"],
    ] as const) {
      await page.goto(`${ui.url}${url}`);
      await page.waitForSelector(ready);
      const failures = await page.evaluate(CONTRAST_CHECK);
      assert.deepEqual(failures, [], url);
    }
  });

  test("a task's attempts are reached and chosen from the keyboard", async () => {
    await page.goto(`${ui.url}/flows/WideRun/runs/${wideRun}/body/7`);
    await page.waitForSelector(".attempt-button");
    await page.focus(".attempts tr:first-child .attempt-button");
    await page.keyboard.press("Enter");
    await page.waitForFunction('document.querySelector("h2").textContent.startsWith("Output of attempt 0")');
    assert.equal(
      await page.$eval(".attempts tr:first-child .attempt-button", (b) => b.getAttribute("aria-pressed")),
      "true",
    );
  });
});

/**
 * Runs in the page: every visible element with text of its own, whose colour against the
 * background it is drawn on (the nearest opaque one) is below 4.5:1 (3:1 for large text).
 */
const CONTRAST_CHECK = `(() => {
  const parse = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.9)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const failures = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg") || el.matches(":disabled") || !el.checkVisibility()) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
    if (!own) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color).slice(0, 3);
    const [a, b] = [lum(fg), lum(background(el))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(el.tagName + "." + el.className + " '" + el.textContent.trim().slice(0, 30) + "' " + ratio.toFixed(2));
  }
  return failures;
})()`;
