/**
 * 8: `flowship ui` showing a run of 1,000 tasks: from navigation start until the run page has
 * painted its graph and a timeline row per task, in headless Chromium; beside the time the
 * server takes to answer the run's JSON alone (what any page must wait for).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import puppeteer from "puppeteer-core";
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

export async function uiFirstPaint(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-ui-"));
  const tasks = options.quick ? 20 : 1000;
  const made = spawnSync(
    process.execPath,
    ["bin/flowship.js", "bench/flows/fanout.ts", "run", "--width", String(tasks - 3)],
    { env: { ...process.env, FLOWSHIP_DATASTORE_ROOT: root, FLOWSHIP_USER: "bench" }, encoding: "utf8" },
  );
  if (made.status !== 0) throw new Error(made.stderr);
  const runId = /Running FanoutBench\/(\S+) as/.exec(made.stderr)![1]!;
  const { url, child } = await startUi(root);
  const browser = await puppeteer.launch({
    executablePath: chromiumPath(),
    args: ["--no-sandbox"],
    headless: true,
  });
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const runUrl = `${url}/flows/FanoutBench/runs/${runId}`;
    const paint = async () => {
      await page.goto("about:blank");
      await page.goto(runUrl);
      await page.waitForFunction(`document.querySelectorAll(".lane .bar").length === ${tasks}`, {
        polling: "raf",
      });
      // Milliseconds since this navigation started, once the next frame is painted.
      return (await page.evaluate(
        "new Promise((done) => requestAnimationFrame(() => done(performance.now())))",
      )) as number;
    };
    const json = async () => {
      const started = performance.now();
      const response = await fetch(`${url}/api/runs/FanoutBench/${runId}`);
      await response.json();
      return performance.now() - started;
    };
    const [paintMs, jsonMs] = await mediansOf(options.quick ? 1 : 5, [paint, json]);
    return [
      {
        id: 8,
        benchmark: "flowship ui",
        figure: `first paint of a run page of ${tasks} tasks (graph + timeline)`,
        value: paintMs!,
        unit: "ms",
        baseline: "the server answering that run's JSON alone",
        baselineValue: jsonMs!,
        ratio: paintMs! / jsonMs!,
        target: "≤ 1,500 ms",
        met: options.quick ? null : paintMs! <= 1500,
        note: "headless Chromium on this machine, median of 5",
      },
    ];
  } finally {
    await browser.close();
    child.kill("SIGTERM");
    fs.rmSync(root, { recursive: true, force: true });
  }
}
