/**
 * Runs a Batch job's container command the way a container would: with only the environment the
 * job would get, an empty working folder and HOME, and — with bubblewrap — a filesystem of the
 * system's read-only `/usr` and `/etc` and nothing else (no project tree, no `node_modules`, no
 * HOME of the user), its own process ids, and only the folders asked for (a local datastore).
 * The network stays shared, so S3 and the credentials endpoint on loopback are reachable.
 *
 * Without bubblewrap (macOS, or a Linux without user namespaces) the command still runs with the
 * job's environment and an empty folder, but it can see the machine's files.
 *
 * @see https://github.com/containers/bubblewrap
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FlowshipError } from "../../errors.js";

export const SANDBOX_KINDS = ["auto", "bubblewrap", "none"] as const;
export type SandboxKind = (typeof SANDBOX_KINDS)[number];

/** The PATH of the official node images: the image's environment, which the job starts from. */
export const IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** HOME and working folder inside the sandbox. */
const TASK_HOME = "/home/task";

export class SandboxError extends FlowshipError {}

export interface ContainerCommand {
  command: readonly string[];
  /** The whole environment of the command: nothing else is passed. */
  env: Record<string, string>;
  /** Host folders the command may write to (at the same path), e.g. a local datastore. */
  writable?: readonly string[];
  /** Host files to show at another path, read-only: `[host, inside]` (tests put stubs over npx). */
  overlays?: readonly (readonly [string, string])[];
  /** Each line the job writes, and to which of its streams (a real job's go to CloudWatch Logs). */
  print: (line: string, stream: "stdout" | "stderr") => void;
}

let bubblewrapWorks: boolean | undefined;

/** Whether `bwrap` is installed and may create namespaces here. */
export function bubblewrapAvailable(): boolean {
  bubblewrapWorks ??=
    spawnSync("bwrap", ["--ro-bind", "/", "/", "--unshare-pid", "true"], { stdio: "ignore" }).status === 0;
  return bubblewrapWorks;
}

/**
 * The sandbox `requested` comes down to on this machine; refuses bubblewrap when it cannot run.
 * @param none how the caller asks for no sandbox, for the message: a flag, or an API's option
 */
export function resolveSandbox(requested: SandboxKind, none = "--sandbox none"): "bubblewrap" | "none" {
  if (requested === "none") return "none";
  if (bubblewrapAvailable()) return "bubblewrap";
  if (requested === "auto") return "none";
  throw new SandboxError(
    "FS_SIMULATE_SANDBOX",
    `Cannot start the sandbox: 'bwrap' is not installed or may not create namespaces here. Install bubblewrap (apt-get install bubblewrap), or pass ${none}.`,
    { exitCode: 2 },
  );
}

/** bwrap's arguments for a root of the system's read-only folders plus what `run` asks for. */
function bubblewrapArgs(run: ContainerCommand): string[] {
  const args = ["--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts"];
  args.push("--ro-bind", "/usr", "/usr", "--ro-bind", "/etc", "/etc");
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64"]) {
    const stat = fs.lstatSync(top, { throwIfNoEntry: false });
    if (stat?.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(top), top);
    else if (stat?.isDirectory()) args.push("--ro-bind", top, top);
  }
  // Node installed outside /usr (nvm, a tarball in /opt): its own prefix, read-only.
  const node = fs.realpathSync(process.execPath);
  if (!node.startsWith("/usr/")) {
    const prefix = path.dirname(path.dirname(node));
    args.push("--ro-bind", prefix, prefix);
  }
  args.push("--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--tmpfs", "/home");
  args.push("--dir", TASK_HOME, "--chdir", TASK_HOME);
  for (const folder of run.writable ?? []) args.push("--bind", folder, folder);
  for (const [host, inside] of run.overlays ?? []) args.push("--ro-bind", host, inside);
  return [...args, "--", ...run.command];
}

/** Runs the command in the sandbox; resolves with its exit code. */
export function runContainerCommand(kind: "bubblewrap" | "none", run: ContainerCommand): Promise<number> {
  let file: string;
  let args: string[];
  let cwd: string | undefined;
  const env = { ...run.env };
  if (kind === "bubblewrap") {
    [file, args] = ["bwrap", bubblewrapArgs(run)];
    env.HOME = TASK_HOME;
  } else {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-job-"));
    env.HOME = cwd;
    [file, args] = [run.command[0]!, run.command.slice(1)];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
    for (const [stream, name] of [
      [child.stdout, "stdout"],
      [child.stderr, "stderr"],
    ] as const) {
      let buffered = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop()!;
        for (const line of lines) run.print(line, name);
      });
      stream.on("end", () => buffered && run.print(buffered, name));
    }
    child.on("error", (error) =>
      reject(
        new SandboxError(
          "FS_SIMULATE_SPAWN",
          `Cannot start the container command '${file}': ${error.message}.`,
          {
            cause: error,
          },
        ),
      ),
    );
    child.on("close", (code, signal) => {
      if (cwd) fs.rmSync(cwd, { recursive: true, force: true });
      resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : 1));
    });
  });
}
