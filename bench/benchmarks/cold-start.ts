/**
 * 7: a Batch task's cold start, as a container runs it: the job definition's command (the
 * bootstrap) in the bubblewrap sandbox with only Batch's environment — it signs one S3 GET for the
 * code package (s3rver on loopback), verifies its sha256, extracts it, imports the packaged
 * runtime, which starts the step. Measured to the step's first line and to the job's exit; the
 * baseline starts the same step as a local task process. Also the code package size of every
 * example. Targets: first line ≤ 1 s, every package ≤ 3 MB.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { bootstrapCommand } from "../../src/aws/compile/bootstrap-command.js";
import { buildCodePackage } from "../../src/aws/package/code-package.js";
import { uploadCodePackage } from "../../src/aws/package/code-package-store.js";
import { IMAGE_PATH, runContainerCommand } from "../../src/aws/simulate/container-sandbox.js";
import { startCredentialsEndpoint } from "../../src/aws/simulate/credentials-endpoint.js";
import { openStorage } from "../../src/datastore/open-storage.js";
import { compileFlow } from "../../src/run/compile-flow.js";
import { startS3Server } from "../../test/helpers/s3-server.js";
import { mediansOf, type Row } from "../measure.js";
import { EXAMPLES } from "./state-machine.js";

const MAX_PACKAGE_BYTES = 3 * 1024 * 1024;
const TARGET_MS = 1000;

/** Milliseconds until the step's first line, and until the process exits. */
interface Timing {
  firstLine: number;
  exit: number;
}

function timeLocalTask(bundle: string, env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstLine = Number.NaN;
    const child = spawn(process.execPath, [bundle], { env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.once("data", () => {
      firstLine = performance.now() - started;
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) =>
      code === 0 ? resolve({ firstLine, exit: performance.now() - started }) : reject(new Error(stderr)),
    );
  });
}

export async function coldStart(options: { quick: boolean }): Promise<Row[]> {
  const server = await startS3Server();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-cold-"));
  try {
    const root = `s3://${server.bucket}/flowship`;
    const storage = await openStorage({ kind: "s3", root, endpoint: server.endpoint });
    const sizes: string[] = [];
    const packageBytes: number[] = [];
    let measured: { url: string; sha: string; bundle: string } | undefined;
    for (const name of EXAMPLES) {
      const file = path.join("examples", `${name}.ts`);
      const compiled = await compileFlow({ file, outDir: path.join(work, "code"), withS3: true });
      const flowName = name.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase());
      const pkg = await buildCodePackage({
        flow: flowName,
        flowFile: file,
        bundlePath: compiled.bundle,
        sourceRoot: process.cwd(),
        inputs: compiled.inputs,
      });
      const stored = await uploadCodePackage(storage, pkg);
      sizes.push(`${name} ${(pkg.bytes.length / 1024).toFixed(0)} KB`);
      packageBytes.push(pkg.bytes.length);
      if (name === "parameter_flow") measured = { url: stored.url, sha: pkg.sha256, bundle: compiled.bundle };
    }
    const credentials = await startCredentialsEndpoint();
    let n = 0;
    const batch = async (): Promise<Timing> => {
      n++;
      const lines: string[] = [];
      const started = performance.now();
      let firstLine = Number.NaN;
      const code = await runContainerCommand("bubblewrap", {
        command: bootstrapCommand(),
        env: {
          PATH: IMAGE_PATH,
          FLOWSHIP_FLOW: "ParameterFlow",
          FLOWSHIP_CODE_PACKAGE_URL: measured!.url,
          FLOWSHIP_CODE_PACKAGE_SHA256: measured!.sha,
          FLOWSHIP_DATASTORE_ROOT: root,
          FLOWSHIP_PRODUCTION_TOKEN: "bench",
          AWS_REGION: "us-east-1",
          FLOWSHIP_S3_ENDPOINT: server.endpoint,
          FLOWSHIP_RUN_ID: `sfn-bench-${Date.now()}-${n}`,
          FLOWSHIP_STEP: "start",
          FLOWSHIP_TASK_ID: "0",
          FLOWSHIP_ATTEMPT: "0",
          FLOWSHIP_PARAMETERS: "{}",
          ...credentials.env,
        },
        print: (line) => {
          if (Number.isNaN(firstLine) && line.includes("alpha is")) firstLine = performance.now() - started;
          lines.push(line);
        },
      });
      if (code !== 0) throw new Error(`the job command failed (${code}):\n${lines.join("\n")}`);
      return { firstLine, exit: performance.now() - started };
    };
    const localRoot = path.join(work, "local");
    const local = () => {
      n++;
      const spec = {
        flow: "ParameterFlow",
        runId: `bench-${n}`,
        step: "start",
        taskId: "0",
        attempt: 0,
        maxAttempts: 1,
        decorators: [],
        inputs: [],
        foreachStack: [],
        datastore: { kind: "local", root: localRoot },
        parameters: {},
        namespace: "user:bench",
        user: "bench",
        tags: [],
        production: false,
      };
      return timeLocalTask(measured!.bundle, { ...process.env, FLOWSHIP_TASK: JSON.stringify(spec) });
    };
    const timings: Record<"batch" | "local", Timing[]> = { batch: [], local: [] };
    const runs = options.quick ? 1 : 7;
    const [batchMs, localMs, batchExitMs, localExitMs] = await mediansOf(runs, [
      async () => {
        const t = await batch();
        timings.batch.push(t);
        return t.firstLine;
      },
      async () => {
        const t = await local();
        timings.local.push(t);
        return t.firstLine;
      },
      async () => timings.batch.at(-1)!.exit,
      async () => timings.local.at(-1)!.exit,
    ]);
    await credentials.close();
    const largest = Math.max(...packageBytes);
    return [
      {
        id: 7,
        benchmark: "Batch task cold start",
        figure:
          "job command in the sandbox: sign + fetch + verify + extract the package, start step's first line (ParameterFlow)",
        value: batchMs,
        unit: "ms",
        baseline: "the same step as a local task process, to its first line",
        baselineValue: localMs,
        ratio: batchMs / localMs,
        target: `first line <= ${TARGET_MS} ms; package <= 3 MB`,
        met: batchMs <= TARGET_MS && largest <= MAX_PACKAGE_BYTES,
        note: `to exit: job ${batchExitMs.toFixed(0)} ms, local task ${localExitMs.toFixed(0)} ms; packages: ${sizes.join(", ")}`,
      },
    ];
  } finally {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
