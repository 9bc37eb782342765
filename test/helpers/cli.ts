/**
 * Drives the real `flowship` binary in a child process, with its own datastore folder.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const BIN = path.join(REPO, "bin/flowship.js");

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Kill the process after this many ms (a test safety net, not a timing assertion). */
  killAfterMs?: number;
  /** Written to the process's stdin, which is then closed; without it stdin is /dev/null. */
  input?: string;
}

/** A fresh temporary folder, removed when the process exits. */
export function tempDir(prefix = "flowship-test-"): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function flowshipEnv(root: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    FLOWSHIP_DATASTORE_ROOT: root,
    FLOWSHIP_USER: "tester",
    FLOWSHIP_PRODUCTION_TOKEN: undefined,
    // Tests choose their isolation, project branch and artifact limit themselves, whatever the
    // shell running them says.
    FLOWSHIP_ISOLATION: undefined,
    FLOWSHIP_BRANCH: undefined,
    FLOWSHIP_MAX_ARTIFACT_BYTES: undefined,
    FORCE_COLOR: "0",
    ...extra,
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runNode([BIN, ...args], options);
}

export function runNode(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return runCommand(process.execPath, args, options);
}

/** Runs any command (`unshare`, `sh` …) the way runNode runs node, collecting its output. */
export function runCommand(command: string, args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, FORCE_COLOR: "0", ...options.env } as NodeJS.ProcessEnv,
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => {
      stdout += d;
    });
    child.stderr!.on("data", (d) => {
      stderr += d;
    });
    const timer = options.killAfterMs
      ? setTimeout(() => child.kill("SIGKILL"), options.killAfterMs)
      : undefined;
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The run id a `run` printed ("Running Flow/<id> as …"). */
/** The run id that `step-functions simulate` announces on stderr. */
export function simulatedRunIdFrom(stderr: string): string {
  const match = /Simulating \w+ on Step Functions: run (\S+) in /.exec(stderr);
  if (!match) throw new Error(`no simulated run id in output:\n${stderr}`);
  return match[1]!;
}

export function runIdFrom(output: string): string {
  const match = /Running \w+\/(\S+) as/.exec(output);
  if (!match) throw new Error(`no run id in output:\n${output}`);
  return match[1]!;
}
