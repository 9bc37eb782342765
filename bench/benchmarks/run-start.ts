/**
 * 10: how soon `flowship run` of a flow it already compiled (nothing changed since its last run)
 * reaches its first task: from spawning the command to the first line the start step prints,
 * beside `node -e` of a script that prints one line, in turns.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchEnv } from "../fanout.js";
import { interleave, type Row } from "../measure.js";

const BIN = path.resolve("bin/flowship.js");
const FLOW = path.resolve("bench/flows/first-line.ts");
const MARK = "bench: first line";
const TARGET_MS = 150;

/** Milliseconds from spawning `args` to the first stdout line holding MARK; waits for the exit. */
function toFirstLine(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstLine = Number.NaN;
    let stdout = "";
    let stderr = "";
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (d) => {
      if (Number.isNaN(firstLine)) {
        stdout += d;
        if (stdout.includes(MARK)) firstLine = performance.now() - started;
      }
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 && !Number.isNaN(firstLine)
        ? resolve(firstLine)
        : reject(new Error(`${args.join(" ")} exited ${code} without '${MARK}':\n${stderr.slice(-2000)}`)),
    );
  });
}

export async function runStart(options: { quick: boolean }): Promise<Row[]> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-start-"));
  const env = benchEnv(root);
  const run = () => toFirstLine([BIN, FLOW, "run"], env);
  const samples = options.quick ? 1 : 9;
  // The warm-up run compiles the flow; every timed run finds it unchanged.
  const [runMs, nodeMs] = await interleave([
    { samples, measure: run },
    { samples, measure: () => toFirstLine(["-e", `console.log(${JSON.stringify(MARK)})`], process.env) },
  ]);
  fs.rmSync(root, { recursive: true, force: true });
  return [
    {
      id: 10,
      benchmark: "run start",
      figure: "`flowship run` of an unchanged, already compiled flow: spawn to the start step's first line",
      value: runMs!,
      unit: "ms",
      baseline: "`node -e` of a script that prints one line, to that line",
      baselineValue: nodeMs!,
      ratio: runMs! / nodeMs!,
      target: `≤ ${TARGET_MS} ms`,
      met: options.quick ? null : runMs! <= TARGET_MS,
      note: `median of ${samples}, on ${os.cpus().length} cores`,
    },
  ];
}
