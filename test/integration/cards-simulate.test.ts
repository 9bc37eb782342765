// A card drawn by a step that ran the way production runs it — `step-functions simulate`, each
// Batch job in the sandbox writing to S3 (s3rver on loopback) — is read back from S3 by `card get`
// and served by `flowship ui` over the same S3 datastore, its images included, and rendered there in
// a real headless Chromium. One simulated run serves every check.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser } from "puppeteer-core";
import { flowshipEnv, runCli, simulatedRunIdFrom, tempDir } from "../helpers/cli.js";
import { type S3TestServer, startS3Server } from "../helpers/s3-server.js";
import { launchBrowser, type RunningUi, startUi } from "../helpers/ui.js";

/** The page's document, in the functions that run in the browser (this file is typed for Node). */
declare const document: any;

let server: S3TestServer;
let ui: RunningUi | undefined;
let browser: Browser | undefined;
let env: NodeJS.ProcessEnv;
let s3Root: string;
let runId: string;
let cardGet: Awaited<ReturnType<typeof runCli>>;

before(async () => {
  server = await startS3Server();
  s3Root = `s3://${server.bucket}/flowship`;
  env = flowshipEnv(path.join(tempDir(), ".flowship"), {
    FLOWSHIP_S3_ENDPOINT: server.endpoint,
    AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: "us-east-1",
  });
  // The example simulated on Step Functions, its datastore on S3 (the browser starts meanwhile).
  const [simulated, launched] = await Promise.all([
    runCli(
      [
        "examples/card_flow.ts",
        "step-functions",
        "simulate",
        "--datastore",
        "s3",
        "--s3-root",
        s3Root,
        "--token",
        "ci",
        "--retry-interval-scale",
        "0.001",
      ],
      { env },
    ),
    launchBrowser(),
  ]);
  browser = launched;
  assert.equal(simulated.code, 0, simulated.stderr);
  runId = simulatedRunIdFrom(simulated.stderr);
  const onS3 = { ...env, FLOWSHIP_DATASTORE: "s3", FLOWSHIP_S3_ROOT: s3Root };
  [cardGet, ui] = await Promise.all([
    runCli(["examples/card_flow.ts", "card", "get", `${runId}/train/0`], { env: onS3 }),
    startUi(onS3, ["--datastore-root", s3Root]),
  ]);
});
after(async () => {
  await browser?.close();
  await ui?.stop();
  await server.close();
});

test("a card from a simulated Step Functions run is read from S3 by card get and the UI", async () => {
  // given: the simulated run, `card get` of its train task and the UI, all on S3 (the `before` hook)
  const got = cardGet;
  const live = ui!;
  // then: card get
  assert.equal(got.code, 0, got.stderr);
  const kinds = new Set([...got.stdout.matchAll(/data-component="(\w+)"/g)].map((m) => m[1]));
  assert.deepEqual([...kinds].sort(), ["chart", "image", "markdown", "progress", "table"]);
  // then: the UI's cards of the task, and one of their images
  const response = await fetch(`${live.url}/api/cards/CardFlow/${runId}/train/0`);
  assert.equal(response.status, 200);
  const view = (await response.json()) as { cards: { id: string; final: boolean; html: string }[] };
  assert.deepEqual(
    view.cards.map((c) => [c.id, c.final]),
    [["default", true]],
  );
  const src = /<img src="([^"]+)" alt="confusion matrix">/.exec(view.cards[0]!.html)?.[1];
  assert.match(src ?? "", new RegExp(`^/api/card-images/CardFlow/${runId}/train/0/0/default/\\d+$`));
  const image = await fetch(`${live.url}${src}`);
  assert.equal(image.status, 200);
  assert.equal(image.headers.get("content-type"), "image/svg+xml");
  assert.match(image.headers.get("content-security-policy") ?? "", /sandbox/);
  assert.match(await image.text(), /^<svg /);
});

test("the card of the simulated run renders in Chromium from the UI over S3", async () => {
  // given
  const page = await browser!.newPage();
  const policyErrors: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) policyErrors.push(message.text());
  });
  try {
    // when
    await page.goto(`${ui!.url}/flows/CardFlow/runs/${runId}/train/0`);
    await page.waitForSelector('.card-host[data-card="default"] .fs-chart svg');
    await page.waitForFunction(() =>
      [...document.querySelectorAll(".card-host img")].every(
        (i) => (i as { complete: boolean; naturalWidth: number }).complete && i.naturalWidth > 0,
      ),
    );
    // then: every component in the DOM, the images loaded from S3 through the UI
    const facts = await page.$eval('.card-host[data-card="default"]', (card) => ({
      kinds: [
        ...new Set(
          [...card.querySelectorAll("[data-component]")].map((c) => c.getAttribute("data-component")),
        ),
      ],
      heading: card.querySelector(".fs-markdown h1")?.textContent,
      rows: card.querySelectorAll(".fs-table tbody tr").length,
      images: [...card.querySelectorAll("img")].map((i) => i.getAttribute("alt")),
      marks: card.querySelectorAll(
        ".fs-chart svg .mark-line, .fs-chart svg .mark-point, .fs-chart svg .mark-bar",
      ).length,
    }));
    assert.deepEqual(facts.kinds.sort(), ["chart", "image", "markdown", "progress", "table"]);
    assert.equal(facts.heading, "Training");
    assert.ok(facts.rows >= 6, `${facts.rows} table rows`);
    assert.deepEqual(facts.images.sort(), ["confusion matrix", "step train of flow CardFlow"]);
    assert.equal(facts.marks, 10);
    assert.deepEqual(policyErrors, []);
  } finally {
    await page.close();
  }
});
