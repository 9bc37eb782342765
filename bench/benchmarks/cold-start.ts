/**
 * 7: a Batch task's cold start. `flowship batch-task` fetches the code package from S3 (s3rver on
 * loopback), verifies its sha256, extracts it and runs the step; the baseline starts the same
 * step as a local task process. Also the code package size of every example.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildCodePackage } from "../../src/aws/package/code-package.js";
import { uploadCodePackage } from "../../src/aws/package/code-package-store.js";
import { openStorage } from "../../src/datastore/open-storage.js";
import { compileFlow } from "../../src/runtime/compile-flow.js";
import { startS3Server } from "../../test/helpers/s3-server.js";
import { medianOf, type Row } from "../measure.js";
import { EXAMPLES } from "./state-machine.js";

function timeProcess(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("close", (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(stderr)),
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
    let hourly: { url: string; sha: string; bundle: string } | undefined;
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
      if (name === "hourly_flow") hourly = { url: stored.url, sha: pkg.sha256, bundle: compiled.bundle };
    }
    const base = {
      ...process.env,
      FLOWSHIP_S3_ENDPOINT: server.endpoint,
      AWS_REGION: "us-east-1",
      FLOWSHIP_PRODUCTION_TOKEN: "bench",
    };
    let n = 0;
    const batch = () => {
      const tmp = fs.mkdtempSync(path.join(work, "tmp-")); // an empty package cache: a cold start
      n++;
      return timeProcess(["bin/flowship.js", "batch-task"], {
        ...base,
        TMPDIR: tmp,
        FLOWSHIP_FLOW: "HourlyFlow",
        FLOWSHIP_CODE_PACKAGE_URL: hourly!.url,
        FLOWSHIP_CODE_PACKAGE_SHA256: hourly!.sha,
        FLOWSHIP_DATASTORE_ROOT: root,
        FLOWSHIP_RUN_ID: `sfn-bench-${Date.now()}-${n}`,
        FLOWSHIP_STEP: "start",
        FLOWSHIP_TASK_ID: "0",
        FLOWSHIP_ATTEMPT: "0",
        FLOWSHIP_PARAMETERS: "{}",
      });
    };
    const localRoot = path.join(work, "local");
    const local = () => {
      n++;
      const spec = {
        flow: "HourlyFlow",
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
      return timeProcess([hourly!.bundle], { ...base, FLOWSHIP_TASK: JSON.stringify(spec) });
    };
    const runs = options.quick ? 1 : 5;
    const batchMs = await medianOf(runs, batch);
    const localMs = await medianOf(runs, local);
    return [
      {
        id: 7,
        benchmark: "Batch task cold start",
        figure: "fetch + verify + extract package from S3, run the start step (HourlyFlow)",
        value: batchMs,
        unit: "ms",
        baseline: "the same step as a local task process",
        baselineValue: localMs,
        ratio: batchMs / localMs,
        target: "report ms; package size per example",
        met: null,
        note: `packages: ${sizes.join(", ")}`,
      },
    ];
  } finally {
    await server.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}
