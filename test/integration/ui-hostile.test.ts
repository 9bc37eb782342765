// `flowship ui` against what a hostile (or unlucky) user sends it, over one small datastore made by
// flowship's own record writer and one UI server: malformed %-encodings in an address, filter and
// attempt values it cannot use, a query too long for Node to read — each a 4xx with one line
// saying what is wrong, never a 500, an empty answer or an empty page — and, in one headless
// Chromium, a watched task's log cut short (shown again from its tail) and then its run deleted
// (the page says the task is not found, with a way back, and stops asking); and `--open` with an
// opener of FLOWSHIP_OPEN_COMMAND that fails.
import assert from "node:assert/strict";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { Browser } from "puppeteer-core";
import type { LogChunk } from "../../src/ui/views.js";
import { flowshipEnv, tempDir } from "../helpers/cli.js";
import { syntheticStore, writeSyntheticRun, writeSyntheticTask } from "../helpers/synthetic-datastore.js";
import { launchBrowser, type RunningUi, startUi } from "../helpers/ui.js";

const root = path.join(tempDir("flowship-ui-hostile-"), ".flowship");
const runId = String(Date.now() - 60_000);
const runFolder = path.join(root, "Watched/runs", runId);
const log = path.join(runFolder, "steps/start/0/0.stdout.log");
let ui: RunningUi;
let browser: Browser | undefined;

before(async () => {
  const store = syntheticStore(root, "Watched");
  await writeSyntheticRun(store, { runId, startedAt: new Date(Date.now() - 60_000), status: "running" });
  await writeSyntheticTask(store, runId, {
    step: "start",
    taskId: "0",
    startedAt: new Date(Date.now() - 60_000),
    ms: 0,
    status: "running",
  });
  fs.writeFileSync(log, Array.from({ length: 50 }, (_, i) => `old line ${i}\n`).join(""));
  ui = await startUi(flowshipEnv(root));
});
after(async () => {
  await browser?.close();
  await ui?.stop();
});

/** Status and body of a GET; the body is asserted to be one line (or one JSON error of one line). */
async function get(url: string): Promise<{ status: number; error: string }> {
  const response = await fetch(`${ui.url}${url}`, { signal: AbortSignal.timeout(10_000) });
  const body = await response.text();
  const error = response.headers.get("content-type")?.startsWith("application/json")
    ? ((JSON.parse(body) as { error?: string }).error ?? "")
    : body.trim();
  assert.ok(!error.includes("\n    at "), `${url} answered a stack:\n${error}`);
  return { status: response.status, error };
}

describe("addresses it cannot use", () => {
  test("a malformed %-encoding in a flow, run, task or artifact name is a 400 naming the address", async () => {
    for (const url of [
      "/api/flows/%E0%A4%A/runs",
      `/api/runs/Watched/%E0`,
      `/api/tasks/Watched/${runId}/start/%E0`,
      `/api/artifacts/Watched/${runId}/start/0/%ZZ`,
    ]) {
      const { status, error } = await get(url);
      assert.equal(status, 400, url);
      assert.match(error, /^Malformed address '.+': each '%' must begin the encoding of a character/, url);
    }
  });

  test("filter and attempt values it cannot use are 400s saying what to give", async () => {
    const bogus = await get("/api/flows/Watched/runs?status=bogus&user=alice");
    assert.deepEqual(bogus, {
      status: 400,
      error: "Invalid status 'bogus': give one of running, succeeded, failed, killed.",
    });
    assert.match((await get("/api/flows/Watched/runs?since=notadate")).error, /^Invalid since 'notadate'/);
    for (const url of [
      `/api/logs/Watched/${runId}/start/0?stream=stdout&attempt=abc`,
      `/api/logs/Watched/${runId}/start/0?stream=stdout&attempt=-1&download=1`,
      `/api/cards/Watched/${runId}/start/0?attempt=1.5`,
    ]) {
      const { status, error } = await get(url);
      assert.equal(status, 400, url);
      assert.match(error, /^Invalid attempt '[^']+': give a whole number \(0 is the first attempt\)\.$/, url);
    }
    // a log's stream and byte offsets: not read as stdout, or from byte 0, in silence
    assert.deepEqual(await get(`/api/logs/Watched/${runId}/start/0?stream=stdrr`), {
      status: 400,
      error: "Invalid stream 'stdrr': give stdout or stderr.",
    });
    assert.deepEqual(await get(`/api/logs/Watched/${runId}/start/0?stream=stdout&offset=abc`), {
      status: 400,
      error: "Invalid offset 'abc': give a whole number.",
    });
    assert.deepEqual(await get(`/api/logs/Watched/${runId}/start/0?offset=10&times=-1`), {
      status: 400,
      error: "Invalid times '-1': give a whole number.",
    });
    for (const [name, value] of [
      ["offset", "abc"],
      ["times", "-5"],
      ["offset", "1e3"],
    ]) {
      const url = `/api/logs/Watched/${runId}/start/0?stream=stdout&${name}=${value}`;
      assert.deepEqual(await get(url), {
        status: 400,
        error: `Invalid ${name} '${value}': give a whole number.`,
      });
    }
  });

  test("a query too long for Node to read gets a 431 with a line saying so, not an empty answer", async () => {
    const { status, error } = await get(`/flows/Watched?q=${"a".repeat(20_000)}`);
    assert.equal(status, 431);
    assert.match(error, /^flowship ui: this address \(with its query\) and headers are over 16 KiB/);
    // and a request that is not HTTP at all gets a line too; the server goes on
    const answer = await rawRequest("NOT HTTP\r\n\r\n");
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*this request could not be read/);
    assert.equal((await get("/api/flows")).status, 200);
  });
});

describe("ui --open", () => {
  test("opens the address with FLOWSHIP_OPEN_COMMAND; an opener that fails says so, and the server goes on", async () => {
    // given: an opener that notes what it was given, then fails
    const dir = tempDir("flowship-ui-open-");
    const script = path.join(dir, "opener.mjs");
    const noted = path.join(dir, "opened.txt");
    fs.writeFileSync(
      script,
      `import fs from "node:fs"; fs.writeFileSync(${JSON.stringify(noted)}, process.argv[2]); process.exit(3);`,
    );
    const env = { ...flowshipEnv(root), FLOWSHIP_OPEN_COMMAND: `"${process.execPath}" "${script}"` };
    // when
    const opened = await startUi(env, ["--open"]);
    try {
      for (let waited = 0; !opened.stderr().includes("Could not open"); waited += 50) {
        assert.ok(waited < 10_000, opened.stderr());
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      // then
      assert.equal(fs.readFileSync(noted, "utf8"), `${opened.url}/`);
      assert.match(
        opened.stderr(),
        new RegExp(
          `\\nCould not open a browser: '.+' exited with code 3; open ${opened.url}/ yourself, or set FLOWSHIP_OPEN_COMMAND to a program that opens it\\.\\n$`,
        ),
      );
      assert.equal((await fetch(`${opened.url}/api/flows`)).status, 200);
    } finally {
      await opened.stop();
    }
  });
});

/** What the server answers to `request` written as is on a socket, until it closes the connection. */
function rawRequest(request: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const url = new URL(ui.url);
    const socket = net.connect(Number(url.port), url.hostname, () => socket.write(request));
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk;
    });
    socket.on("end", () => resolve(text));
    socket.on("error", reject);
  });
}

describe("requests at the edges of HTTP", () => {
  test("HEAD of a log download, a request without Host and an asset named like Object's own answer at once", async () => {
    const head = await fetch(`${ui.url}/api/logs/Watched/${runId}/start/0?download`, {
      method: "HEAD",
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(head.status, 200);
    assert.match(head.headers.get("content-disposition") ?? "", /attachment/);
    const noHost = await rawRequest("GET /api/flows HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert.match(
      noHost,
      /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\nflowship ui: this request names no Host; [^\n]*\n/,
    );
    for (const name of ["__proto__", "constructor", "toString"]) {
      assert.deepEqual(await get(`/assets/${name}`), { status: 404, error: "not found" }, name);
    }
  });
});

describe("a flow's page given a page past the end, a day not in the calendar, a bad filter", () => {
  test("says the last page and goes there; names the bad value instead of showing runs or loading forever", async () => {
    assert.match(
      (await get("/api/flows/Watched/runs?until=2026-02-30")).error,
      /^Invalid until '2026-02-30': /,
    );
    browser ??= await launchBrowser();
    const page = await browser.newPage();
    const summary = '[data-testid="runs-summary"]';
    await page.goto(`${ui.url}/flows/Watched?page=3`);
    await page.waitForSelector(summary);
    assert.equal(
      await page.$eval(summary, (e) => e.textContent),
      "No runs on page 3: the last page is 1. Go to page 1",
    );
    await page.click(`${summary} button`);
    await page.waitForFunction(
      `document.querySelector('${summary}')?.textContent.startsWith("Runs 1–1 of 1")`,
    );
    assert.equal(new URL(page.url()).search, "?page=1");
    for (const [query, error] of [
      ["since=2026-13-45", "Invalid since '2026-13-45': "],
      ["until=2026-02-30", "Invalid until '2026-02-30': "],
      ["status=bogus", "Invalid status 'bogus': "],
    ]) {
      await page.goto(`${ui.url}/flows/Watched?${query}`);
      await page.waitForSelector(".flow-page .error", { timeout: 5_000 });
      const text = await page.$eval(".flow-page", (e) => e.textContent ?? "");
      assert.ok(text.includes(error), `${query}: ${text}`);
      assert.ok(!text.includes("Loading") && !text.includes("Runs 1"), `${query}: ${text}`);
    }
    await page.close();
  });
});

describe("a watched log cut short, then its run deleted", () => {
  test("the server answers an offset past the end with the log's tail, marked restarted", async () => {
    const url = `/api/logs/Watched/${runId}/start/0?stream=stdout&attempt=0`;
    const first = (await (await fetch(`${ui.url}${url}`)).json()) as LogChunk;
    assert.equal(first.restarted, undefined);
    const cut = "cut line 0\n";
    fs.writeFileSync(log, cut);
    const after = (await (await fetch(`${ui.url}${url}&offset=${first.next}`)).json()) as LogChunk;
    assert.deepEqual(
      { text: after.text, start: after.start, next: after.next, restarted: after.restarted },
      { text: cut, start: 0, next: cut.length, restarted: true },
    );
  });

  test("the task page shows the cut log anew; its run deleted, it says so and stops asking", async () => {
    fs.writeFileSync(log, Array.from({ length: 50 }, (_, i) => `old line ${i}\n`).join(""));
    browser ??= await launchBrowser();
    const page = await browser.newPage();
    await page.goto(`${ui.url}/flows/Watched/runs/${runId}/start/0`);
    await page.waitForFunction('document.querySelector(".log")?.textContent.includes("old line 49")');
    // when: the log is written anew, shorter
    fs.writeFileSync(log, "new line 0\n");
    // then: only its lines are shown, numbered from 1
    await page.waitForFunction('document.querySelector(".log")?.textContent.includes("new line 0")');
    const shown = (part: string) => page.$$eval(`.log .log-line ${part}`, (l) => l.map((e) => e.textContent));
    assert.deepEqual(await shown(".lx"), ["new line 0"]);
    assert.deepEqual(await shown(".ln"), ["1"]);
    // when: the run is deleted while watched
    fs.rmSync(runFolder, { recursive: true });
    await page.waitForSelector('[data-testid="not-found"] a[href="/"]');
    let asked = 0;
    page.on("request", (request) => {
      if (request.url().includes("/api/logs/")) asked++;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(asked, 0, "the page went on asking for a log that is gone");
  });
});
