/**
 * `flowship ui` started through the real CLI in a child process, and a real headless Chromium
 * (Debian's `chromium`, installed by scripts/test-setup.sh) driven with puppeteer-core.
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import puppeteer, { type Browser } from "puppeteer-core";
import { BIN, REPO } from "./cli.js";

export interface RunningUi {
  url: string;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Starts `flowship ui --port 0 …`; resolves once it prints its URL. */
export function startUi(env: NodeJS.ProcessEnv, args: string[] = []): Promise<RunningUi> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [BIN, "ui", "--port", "0", ...args], {
      cwd: REPO,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    child.stderr!.on("data", (chunk) => {
      stderr += chunk;
      const match = /flowship ui: (http:\/\/\S+?)\/ /.exec(stderr);
      if (match) {
        resolve({
          url: match[1]!,
          stderr: () => stderr,
          stop: async () => {
            child.kill("SIGTERM");
            return exited;
          },
        });
      }
    });
    void exited.then((code) => reject(new Error(`flowship ui exited (${code}) before serving:\n${stderr}`)));
  });
}

/** Debian's chromium, or the one FLOWSHIP_TEST_CHROMIUM names. */
export function chromiumPath(): string {
  const candidates = [process.env.FLOWSHIP_TEST_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"];
  const found = candidates.find((c): c is string => c !== undefined && fs.existsSync(c));
  if (!found) throw new Error("No Chromium found: scripts/test-setup.sh installs Debian's chromium package.");
  return found;
}

export function launchBrowser(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    // Root in a container has no user namespace sandbox for Chromium; the pages are our own.
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
    headless: true,
  });
}
