// `flowship ui` in a real headless Chromium: the flows page lists a flow and its latest run; a
// run page draws every step of a branch + foreach flow in its state with a timeline bar per task
// attempt; a failed run shows its error and the steps it never reached; a task page shows its
// log, its switch case and its artifacts; a run started while a page is open appears and updates
// without a reload, its running task's output tailed as it is printed. And the server: read-only, loopback, nothing outside the datastore.
import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { GetScheduleCommand } from "@aws-sdk/client-scheduler";
import type { Browser, Page } from "puppeteer-core";
import { Run } from "../../src/client/index.js";
import { flowshipEnv, runCli, runIdFrom, tempDir } from "../helpers/cli.js";
import { startMoto } from "../helpers/moto.js";
import { deployerEnv, prepareAccount, S3_ROOT, sdkClients } from "../helpers/moto-account.js";
import { launchBrowser, type RunningUi, startUi } from "../helpers/ui.js";

/** The two computed style properties the state checks read. */
interface CSSLike {
  stroke: string;
  strokeDasharray: string;
}

const root = path.join(tempDir(), ".flowship");
const env = flowshipEnv(root);
const datastore = { kind: "local", root } as const;
let ui: RunningUi;

/** The stroke colour and dashes of a step's box in the graph, as the browser draws them. */
function look(step: string) {
  return page.$eval(`.node[data-step="${step}"] .box`, (box) => {
    // A browser global: this function runs in the page.
    const style = (globalThis as unknown as { getComputedStyle(e: unknown): CSSLike }).getComputedStyle(box);
    return [style.stroke, style.strokeDasharray];
  });
}
let browser: Browser;
let page: Page;

/**
 * Runs in the page (a string: functions compiled by tsx carry helpers the page lacks): where the
 * loop_step self-loop's label lies against its own loop (level with it, just right of it), and
 * how many other edges its box overlaps.
 */
const LOOP_LABEL_PLACE = `(() => {
  const svg = document.querySelector("svg.graph");
  const label = svg.querySelector('.edge-label[data-edge="loop_step->loop_step"], [data-edge="loop_step->loop_step"] .edge-label').getBBox();
  const loop = svg.querySelector('[data-edge="loop_step->loop_step"] path').getBBox();
  const middle = label.y + label.height / 2;
  const overlaps = [...svg.querySelectorAll("polyline.edge")].map((e) => e.getBBox()).filter(
    (e) => label.x < e.x + e.width && e.x < label.x + label.width && label.y < e.y + e.height && e.y < label.y + label.height,
  );
  return {
    level: middle > loop.y && middle < loop.y + loop.height,
    justRight: label.x >= loop.x + loop.width - 2 && label.x <= loop.x + loop.width + 12,
    overlaps: overlaps.length,
  };
})()`;

async function ran(args: string[], extra: Record<string, string> = {}): Promise<string> {
  const result = await runCli(args, { env: { ...env, ...extra } });
  assert.ok(result.code === 0 || extra.FAIL_AT_ITERATION, result.stderr);
  return runIdFrom(result.stderr);
}

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe("flowship ui in a headless Chromium", () => {
  let branchRun: string;
  let nestedRun: string;
  let loopRun: string;
  let failedRun: string;
  before(async () => {
    branchRun = await ran(["examples/branch_flow.ts", "run"]);
    nestedRun = await ran(["examples/nested_foreach_flow.ts", "run"]);
    loopRun = await ran(["test/fixtures/switches/recursive_switch.ts", "run"]);
    failedRun = await ran(
      [
        "test/fixtures/switches/recursive_switch.ts",
        "run",
        "--times",
        "4",
        "--scheduled-time",
        "2026-11-30T02:00:00Z",
      ],
      { FAIL_AT_ITERATION: "2" },
    );
    ui = await startUi(env);
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
  });
  after(async () => {
    await page?.close();
    await ui?.stop();
  });

  test("the flows page lists every flow with its latest run", async () => {
    await page.goto(`${ui.url}/`);
    const row = await page.waitForSelector(`.flow[data-flow="BranchFlow"] .run-row[data-run="${branchRun}"]`);
    assert.equal(await row!.evaluate((r) => r.getAttribute("data-status")), "succeeded");
    assert.match(await row!.evaluate((r) => r.textContent ?? ""), /succeeded.*tester/);
    const flows = await page.$$eval(".flow", (sections) => sections.map((s) => s.getAttribute("data-flow")));
    assert.deepEqual(flows.sort(), ["BranchFlow", "NestedForeachFlow", "RecursiveSwitch"]);
    // the newest run of RecursiveSwitch (the failed one) comes first
    const first = await page.$eval('.flow[data-flow="RecursiveSwitch"] .run-row', (r) =>
      r.getAttribute("data-run"),
    );
    assert.equal(first, failedRun);
  });

  test("a run page draws every step of a branch + foreach flow, succeeded, and a timeline bar per attempt", async () => {
    // given: what the Client API says the run has
    const run = await Run.get(`NestedForeachFlow/${nestedRun}`, { datastore, namespace: null });
    const tasks: string[] = [];
    for (const step of await run.steps())
      for (const task of await step.tasks()) tasks.push(`${step.name}/${task.id}`);
    // when: a deep link is opened
    await page.goto(`${ui.url}/flows/NestedForeachFlow/runs/${nestedRun}`);
    await page.waitForSelector(".node");
    // then
    const states = await page.$$eval(".node", (nodes) =>
      nodes.map((n) => [n.getAttribute("data-step"), n.getAttribute("data-state")]),
    );
    assert.deepEqual(states.map(([s]) => s).sort(), [
      "combine",
      "end",
      "join",
      "per_model",
      "per_model_join",
      "score_a",
      "score_b",
      "start",
      "train",
    ]);
    assert.ok(
      states.every(([, state]) => state === "succeeded"),
      JSON.stringify(states),
    );
    const foreachNote = await page.$eval('.node[data-step="per_model"] .note', (n) => n.textContent);
    assert.equal(foreachNote, "foreach: 6 items");
    const lanes = await page.$$eval(".lane[data-task]", (ls) => ls.map((l) => l.getAttribute("data-task")));
    assert.deepEqual(lanes.sort(), tasks.sort());
    assert.equal((await page.$$(".lane[data-task] .bar-succeeded")).length, tasks.length);
    assert.equal(await page.$eval(".run-page", (p) => p.getAttribute("data-status")), "succeeded");
    assert.deepEqual(await look("per_model"), ["rgb(24, 117, 63)", "none"], "a foreach's box is green too");
  });

  test("a failed run shows its error, the failed step and the steps it never reached", async () => {
    await page.goto(`${ui.url}/flows/RecursiveSwitch/runs/${failedRun}`);
    const error = await page.waitForSelector('[data-testid="run-error"]');
    assert.match(
      await error!.evaluate((e) => e.textContent ?? ""),
      /loop_step\/0-1: Error: iteration 2 fails on purpose/,
    );
    const state = (step: string) =>
      page.$eval(`.node[data-step="${step}"]`, (n) => n.getAttribute("data-state"));
    assert.equal(await state("start"), "succeeded");
    assert.equal(await state("loop_step"), "failed");
    assert.equal(await state("exit_loop"), "not-reached");
    assert.equal(await state("end"), "not-reached");
    assert.equal((await page.$$(".lane[data-task] .bar-failed")).length, 1);
    // the switch's cases label its edges, the loop's too
    const labels = await page.$$eval(".edge-label", (ls) => ls.map((l) => l.textContent).sort());
    assert.deepEqual(labels, ["continue", "exit"]);
    // the loop's label sits beside its own loop, level with it, clear of every other edge
    const clear = await page.evaluate(LOOP_LABEL_PLACE);
    assert.deepEqual(clear, { level: true, justRight: true, overlaps: 0 });
    // and the states show: green, red and dashed boxes
    assert.deepEqual(await look("start"), ["rgb(24, 117, 63)", "none"]);
    assert.deepEqual(await look("loop_step"), ["rgb(196, 49, 49)", "none"]);
    assert.deepEqual((await look("end"))[1], "4px, 3px");
  });

  test("a resumed run links to the run it resumed and shows the fire time it stands for", async () => {
    // given: the failed run, resumed
    const resumed = await ran([
      "test/fixtures/switches/recursive_switch.ts",
      "resume",
      "--origin-run-id",
      failedRun,
    ]);
    // when
    await page.goto(`${ui.url}/flows/RecursiveSwitch/runs/${resumed}`);
    const origin = await page.waitForSelector('[data-testid="origin-run"] a');
    // then
    assert.deepEqual(await origin!.evaluate((a) => [a.textContent, a.getAttribute("href")]), [
      failedRun,
      `/flows/RecursiveSwitch/runs/${failedRun}`,
    ]);
    const facts = await page.$eval(".facts", (d) => d.textContent ?? "");
    assert.match(facts, /scheduled for2026-11-30 02:00:00Z/);
  });

  test("a task page shows its log, its case and its artifacts", async () => {
    await page.goto(`${ui.url}/flows/RecursiveSwitch/runs/${loopRun}`);
    // clicking a lane of the timeline follows its deep link without a reload
    await page.waitForSelector('.lane[data-task="loop_step/0-1"] a');
    await page.click('.lane[data-task="loop_step/0-1"] a');
    await page.waitForSelector(".task-page");
    assert.equal(new URL(page.url()).pathname, `/flows/RecursiveSwitch/runs/${loopRun}/loop_step/0-1`);
    await page.waitForFunction('document.querySelector(".log-stdout")?.textContent?.includes("iteration 2")');
    const text = await page.$eval(".task-page", (p) => p.textContent ?? "");
    assert.match(text, /the condition was continue, so loop_step ran next/);
    const artifacts = await page.$$eval(".artifact", (rows) =>
      rows.map((r) => [r.getAttribute("data-artifact"), r.querySelector(".value")?.textContent]),
    );
    assert.deepEqual(Object.fromEntries(artifacts).counter, "2");
    assert.deepEqual(Object.fromEntries(artifacts).seen, 'Array(2)[0] "0-0:1"[1] "0-1:2"');
    // the download link serves the value itself
    const href = await page.$eval('.artifact[data-artifact="seen"] a[download]', (a) =>
      a.getAttribute("href"),
    );
    const download = await fetch(`${ui.url}${href}`);
    assert.equal(download.headers.get("content-disposition"), 'attachment; filename="seen.json"');
    assert.deepEqual(await download.json(), ["0-0:1", "0-1:2"]);
  });

  test("a run started while the page is open appears, and its run page updates without a reload", async () => {
    // given: the flows page is open
    await page.goto(`${ui.url}/`);
    await page.waitForSelector(".flow");
    // when: a run starts
    const running = runCli(["test/fixtures/flows/slow_steps.ts", "run"], {
      env: { ...env, SLOW_MS: "3000" },
    });
    // then: it appears, running
    const row = await page.waitForSelector('.flow[data-flow="SlowSteps"] .run-row[data-status="running"]', {
      timeout: 20_000,
    });
    const runId = await row!.evaluate((r) => r.getAttribute("data-run"));
    await page.click(`.run-row[data-run="${runId}"] a`);
    await page.waitForSelector('.node[data-step="work"][data-state="running"]', { timeout: 20_000 });
    // the running task's page tails its output as it is printed
    await page.click('.node[data-step="work"]');
    await page.waitForSelector('.task-page[data-status="running"]', { timeout: 20_000 });
    for (const line of ["working: first half", "working: second half"]) {
      await page.waitForFunction(`document.querySelector(".log-stdout")?.textContent?.includes("${line}")`, {
        timeout: 20_000,
      });
    }
    await page.waitForSelector('.task-page[data-status="succeeded"]', { timeout: 20_000 });
    // and back on the run page, the run finishes without a reload
    await page.goBack();
    await page.waitForSelector('.run-page[data-status="succeeded"]', { timeout: 30_000 });
    assert.equal(
      await page.$eval('.node[data-step="work"]', (n) => n.getAttribute("data-state")),
      "succeeded",
    );
    assert.equal((await running).code, 0);
  });
});

describe("flowship ui over the deployments' S3 datastore", () => {
  test("a deployed, scheduled flow shows its deployment and next fire times until it is deleted", async () => {
    // given: examples/hourly_flow.ts deployed by the real CLI to moto (its S3 the datastore)
    const dir = tempDir("flowship-ui-deploy-");
    const moto = await startMoto();
    await prepareAccount(moto);
    const deployEnv = deployerEnv(dir, moto);
    const schedule = () =>
      sdkClients(moto).scheduler.send(new GetScheduleCommand({ Name: "flowship-HourlyFlow" }));
    let server: RunningUi | undefined;
    const deployedPage = await browser.newPage();
    try {
      const created = await runCli(["examples/hourly_flow.ts", "step-functions", "create"], {
        env: deployEnv,
      });
      assert.equal(created.code, 0, created.stderr);
      assert.equal((await schedule()).ScheduleExpression, "cron(0 * * * ? *)");
      // when: the UI reads the S3 datastore
      server = await startUi(deployEnv, ["--datastore-root", S3_ROOT]);
      await deployedPage.goto(`${server.url}/`);
      const deployment = await deployedPage.waitForSelector('.flow[data-flow="HourlyFlow"] .deployment');
      // then
      const text = (await deployment!.evaluate((d) => d.textContent)) ?? "";
      assert.match(text, /Deployed as HourlyFlow \(version 1, production:[a-z0-9-]+\) by alice/);
      const times = /next: (.*)$/.exec(text)![1]!.split(", ");
      assert.equal(times.length, 3);
      for (const time of times) assert.match(time, /^\d{4}-\d\d-\d\d \d\d:00:00Z$/);
      assert.ok(Date.parse(times[0]!.replace(" ", "T")) > Date.now());
      // when: the deployment is deleted, its note goes, and the never-run flow with it
      const deleted = await runCli(["examples/hourly_flow.ts", "step-functions", "delete"], {
        env: deployEnv,
      });
      assert.equal(deleted.code, 0, deleted.stderr);
      await assert.rejects(schedule(), { name: "ResourceNotFoundException" });
      await deployedPage.waitForFunction("!document.querySelector('.flow[data-flow=\"HourlyFlow\"]')", {
        timeout: 15_000,
      });
      // every request the deploy, the delete and the UI sent is valid by AWS's own API models
      const report = await moto.validate();
      assert.deepEqual(report.findings, []);
      assert.ok(report.checked > 0);
    } finally {
      await deployedPage.close();
      await server?.stop();
      await moto.close();
    }
  });
});

describe("the ui server", () => {
  test("is read-only, listens on loopback, and reaches nothing outside the datastore", async () => {
    const server = await startUi(env);
    try {
      assert.match(server.stderr(), /^flowship ui: http:\/\/127\.0\.0\.1:\d+\/ \(datastore .*, read-only\)/);
      const post = await fetch(`${server.url}/api/flows`, { method: "POST" });
      assert.equal(post.status, 405);
      for (const probe of [
        "/api/tasks/..%2F..%2F..%2Fetc/passwd/x/y",
        "/api/runs/BranchFlow/..%2F..%2F..",
        "/api/logs/BranchFlow/1/start/..%2Fx",
        "/assets/..%2F..%2Fpackage.json",
      ]) {
        const response = await fetch(`${server.url}${probe}`);
        assert.equal(response.status, 404, probe);
        assert.doesNotMatch(await response.text(), /root:|"name": "flowship"/, probe);
      }
    } finally {
      await server.stop();
    }
  });

  test("a port in use is one line and exit 1; a bad port is a usage error", async () => {
    const first = await startUi(env);
    try {
      const port = new URL(first.url).port;
      const second = await runCli(["ui", "--port", port], { env, killAfterMs: 20_000 });
      assert.equal(second.code, 1);
      assert.equal(
        second.stderr,
        `error: Port ${port} is already in use on 127.0.0.1; choose another with --port.\n`,
      );
    } finally {
      await first.stop();
    }
    const bad = await runCli(["ui", "--port", "http"], { env });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "error: Invalid --port 'http': give a whole number from 0 to 65535.\n");
  });
});
