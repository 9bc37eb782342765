/**
 * 8: `flowship ui` at scale, over datastores written by flowship's own record writer (running
 * 10,000 tasks or 10,000 runs for real would take many minutes): the run page of a run of 10,000
 * tasks, from navigation start until its graph and timeline are painted in headless Chromium,
 * beside the server answering that run's JSON alone; `/api/flows` with a flow of 10,000 runs
 * beside one of 100; a task page's log of 100 MB opened on its tail and then read for one new
 * line, beside reading the whole log once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";
import type { RecordedStep } from "../../src/datastore/records-types.js";
import {
  syntheticStore,
  writeSyntheticRun,
  writeSyntheticTask,
} from "../../test/helpers/synthetic-datastore.js";
import { chromiumPath } from "../../test/helpers/ui.js";
import { mediansOf, type Row } from "../measure.js";

function startUi(root: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["bin/flowship.js", "ui", "--port", "0"], {
      env: { ...process.env, FLOWSHIP_DATASTORE_ROOT: root },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      const match = /flowship ui: (http:\/\/\S+?)\/ /.exec(stderr);
      if (match) resolve({ url: match[1]!, child });
    });
    child.on("close", (code) => reject(new Error(`flowship ui exited (${code}):\n${stderr}`)));
  });
}

/** A finished run of start → foreach of `width` items → join → end. */
async function wideRun(root: string, width: number): Promise<string> {
  const store = syntheticStore(root, "WideRun");
  const started = Date.now() - 3_600_000;
  const runId = String(started);
  const steps: RecordedStep[] = [
    { name: "start", type: "foreach", next: ["body"] },
    { name: "body", type: "linear", next: ["join"] },
    { name: "join", type: "join", next: ["end"] },
    { name: "end", type: "end", next: [] },
  ];
  await writeSyntheticRun(store, { runId, startedAt: new Date(started), status: "succeeded", steps });
  const at = (ms: number) => new Date(started + ms);
  await writeSyntheticTask(store, runId, {
    step: "start",
    taskId: "0",
    startedAt: at(0),
    ms: 100,
    status: "succeeded",
    foreach: { var: "items", numSplits: width },
  });
  for (let i = 0; i < width; i++) {
    await writeSyntheticTask(store, runId, {
      step: "body",
      taskId: String(i),
      startedAt: at(100 + i * 20),
      ms: 500,
      status: "succeeded",
      foreachStack: [{ step: "start", index: i, numSplits: width }],
    });
  }
  await writeSyntheticTask(store, runId, {
    step: "join",
    taskId: "0",
    startedAt: at(width * 20 + 700),
    ms: 50,
    status: "succeeded",
  });
  await writeSyntheticTask(store, runId, {
    step: "end",
    taskId: "0",
    startedAt: at(width * 20 + 800),
    ms: 50,
    status: "succeeded",
  });
  return runId;
}

/** `count` finished runs of a flow, a minute apart, every seventh failed. */
async function manyRuns(root: string, flow: string, count: number): Promise<void> {
  const store = syntheticStore(root, flow);
  const first = Date.now() - count * 60_000;
  for (let i = 0; i < count; i++) {
    await writeSyntheticRun(store, {
      runId: String(first + i * 60_000),
      startedAt: new Date(first + i * 60_000),
      status: i % 7 === 3 ? "failed" : "succeeded",
      reason: "start/0: Error: failed on purpose",
      pointers: i === count - 1,
    });
  }
}

/** A running task whose stdout holds `bytes` bytes of lines. */
async function bigLog(root: string, bytes: number): Promise<{ url: string; file: string }> {
  const store = syntheticStore(root, "LogBench");
  const runId = String(Date.now() - 60_000);
  await writeSyntheticRun(store, { runId, startedAt: new Date(), status: "running" });
  await writeSyntheticTask(store, runId, {
    step: "start",
    taskId: "0",
    startedAt: new Date(),
    ms: 0,
    status: "running",
  });
  const file = path.join(root, "LogBench/runs", runId, "steps/start/0/0.stdout.log");
  const line = `${"x".repeat(99)}\n`;
  const block = line.repeat(10_000);
  const out = fs.openSync(file, "w");
  for (let written = 0; written < bytes; written += block.length) fs.writeSync(out, block);
  fs.closeSync(out);
  return { url: `/api/logs/LogBench/${runId}/start/0?stream=stdout&attempt=0`, file };
}

async function timed(url: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const started = performance.now();
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${url}: ${response.status}`);
      return performance.now() - started;
    } catch (error) {
      // A kept-alive connection the server closed while this process was busy writing the
      // datastore (synchronously) is found closed on reuse: that sample is taken again.
      const code = ((error as Error).cause as { code?: string } | undefined)?.code;
      if (code !== "UND_ERR_SOCKET" || attempt > 0) throw error;
    }
  }
}

export async function uiFirstPaint(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-ui-"));
  const tasks = options.quick ? 50 : 10_000;
  const runs = options.quick ? 120 : 10_000;
  const logBytes = options.quick ? 2 * 2 ** 20 : 100 * 2 ** 20;
  const rounds = options.quick ? 1 : 5;
  const runId = await wideRun(root, tasks);
  const { url, child } = await startUi(root);
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox"],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const runUrl = `${url}/flows/WideRun/runs/${runId}`;
    const paint = async () => {
      await page.goto("about:blank");
      await page.goto(runUrl);
      await page.waitForFunction(
        `document.querySelector('.node[data-step="start"] .note')?.textContent === "foreach: ${tasks.toLocaleString("en-US")} items" && document.querySelector('.lane.group[data-step="body"] .bar')`,
        { polling: "raf" },
      );
      // Milliseconds since this navigation started, once the next frame is painted.
      return (await page.evaluate(
        "new Promise((done) => requestAnimationFrame(() => done(performance.now())))",
      )) as number;
    };
    // The first paint is measured cold (the server has read nothing yet), then warm.
    const coldPaint = await paint();
    const [paintMs, jsonMs] = await mediansOf(rounds, [
      paint,
      () => timed(`${url}/api/runs/WideRun/${runId}`),
    ]);

    await manyRuns(root, "SmallFlow", 100);
    await manyRuns(root, "BigFlow", runs);
    const coldFlows = await timed(`${url}/api/flows`);
    const [flowsMs] = await mediansOf(rounds, [() => timed(`${url}/api/flows`)]);
    await fs.promises.rm(path.join(root, "BigFlow"), { recursive: true });
    const [smallFlowsMs] = await mediansOf(rounds, [() => timed(`${url}/api/flows`)]);

    const log = await bigLog(root, logBytes);
    const tail = async () => {
      const started = performance.now();
      const first = (await (await fetch(`${url}${log.url}`)).json()) as { next: number };
      fs.appendFileSync(log.file, "one more line\n");
      const next = (await (await fetch(`${url}${log.url}&offset=${first.next}`)).json()) as { text: string };
      if (next.text !== "one more line\n") throw new Error(`the next read gave ${JSON.stringify(next.text)}`);
      return performance.now() - started;
    };
    const whole = async () => {
      const started = performance.now();
      fs.readFileSync(log.file);
      return performance.now() - started;
    };
    const [tailMs, wholeMs] = await mediansOf(rounds, [tail, whole]);
    const n = (x: number) => x.toLocaleString("en-US");
    return [
      {
        id: 8,
        benchmark: "flowship ui",
        figure: `first paint of a run page of ${n(tasks)} tasks (graph + timeline), warm`,
        value: paintMs!,
        unit: "ms",
        baseline: "the server answering that run's JSON alone",
        baselineValue: jsonMs!,
        ratio: paintMs! / jsonMs!,
        target: "≤ 1,500 ms",
        met: options.quick ? null : paintMs! <= 1500 && coldPaint <= 1500,
        note: `cold (nothing read yet) ${Math.round(coldPaint)} ms; headless Chromium on this machine, median of ${rounds}`,
      },
      {
        id: 8,
        benchmark: "flowship ui",
        figure: `/api/flows with a flow of ${n(runs)} runs`,
        value: flowsMs!,
        unit: "ms",
        baseline: "/api/flows with a flow of 100 runs",
        baselineValue: smallFlowsMs!,
        ratio: flowsMs! / smallFlowsMs!,
        target: "≤ 100 ms",
        met: options.quick ? null : flowsMs! <= 100 && coldFlows <= 100,
        note: `first answer, nothing read yet: ${Math.round(coldFlows)} ms; median of ${rounds}`,
      },
      {
        id: 8,
        benchmark: "flowship ui",
        figure: `a task page's log of ${Math.round(logBytes / 2 ** 20)} MB: its tail, then one new line`,
        value: tailMs!,
        unit: "ms",
        baseline: "reading the whole log once (fs.readFileSync)",
        baselineValue: wholeMs!,
        ratio: tailMs! / wholeMs!,
        target: "≤ 100 ms, never reading the whole log",
        met: options.quick ? null : tailMs! <= 100,
        note: `median of ${rounds}`,
      },
    ];
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    fs.rmSync(root, { recursive: true, force: true });
  }
}
