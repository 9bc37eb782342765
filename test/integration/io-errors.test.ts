// A full or read-only datastore, through the real CLI on a real tmpfs (CI runs as root, so a
// private mount namespace can mount one): one-line errors, no raw Node.js stack, no "Internal
// error", no temporary files left (issue 16, items 6 and 16).
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { BIN, flowshipEnv, REPO, runCli, runCommand, tempDir } from "../helpers/cli.js";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Temporary files (`*.tmp-*`) on the tmpfs after the command, listed before it goes away. */
  leftovers: string[];
}

/** Runs the CLI with a tmpfs mounted (with `options`) at `mountpoint`, in a mount namespace of its own. */
async function withTmpfs(
  mountpoint: string,
  options: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<Result> {
  fs.mkdirSync(mountpoint, { recursive: true });
  const listing = path.join(tempDir(), "leftovers");
  const script = [
    'mount -t tmpfs -o "$1" tmpfs "$2" || exit 99',
    'm="$2"; shift 2',
    '"$@"; code=$?',
    `find "$m" -name '*.tmp-*' > ${JSON.stringify(listing)}`,
    "exit $code",
  ].join("\n");
  const result = await runCommand(
    "unshare",
    ["-m", "sh", "-c", script, "sh", options, mountpoint, process.execPath, BIN, ...args],
    { env },
  );
  const leftovers = fs.existsSync(listing)
    ? fs.readFileSync(listing, "utf8").split("\n").filter(Boolean)
    : [];
  return { ...result, leftovers };
}

function assertOneLineError(result: Result, pattern: RegExp): void {
  assert.equal(result.code, 1, result.stderr);
  assert.doesNotMatch(result.stderr, /Internal error|\n\s+at /, "no internal error, no stack");
  assert.match(result.stderr, pattern);
}

describe("a datastore that cannot be written", () => {
  test("read-only at start: one line naming the file and the reason", async () => {
    const root = path.join(tempDir(), ".flowship");
    const result = await withTmpfs(root, "ro", ["examples/parameter_flow.ts", "run"], flowshipEnv(root));
    assertOneLineError(
      result,
      /^error: Cannot write the compiled flow to '[^']+\/_code\/[0-9a-f]{64}\.mjs': the file system is read-only \(EROFS\)\.\n$/,
    );
  });

  test("full at start: one line, and no temporary file left behind", async () => {
    const root = path.join(tempDir(), ".flowship");
    const probe = path.join(tempDir(), "leftovers");
    // The listing runs inside the namespace, after the CLI, while the tmpfs is still mounted.
    const result = await withTmpfs(
      root,
      "size=64k",
      ["examples/parameter_flow.ts", "run"],
      flowshipEnv(root),
    );
    assertOneLineError(
      result,
      /^error: Cannot write the compiled flow to '[^']+': no space left on the device \(ENOSPC\)\.\n$/,
    );
    assert.equal(fs.existsSync(probe), false);
  });

  test("full while a step prints: the log failure is said once, the run fails in one line", async () => {
    // given: the compiled flow fits (it goes to _code), the flow's own folder is a 64 KB tmpfs
    const root = path.join(tempDir(), ".flowship");
    const env = flowshipEnv(root, { PRINT_KB: "200" });
    const compiled = await runCli([path.join(REPO, "test/fixtures/flows/chatty.ts"), "check"], { env });
    assert.equal(compiled.code, 0, compiled.stderr);
    // when
    const result = await withTmpfs(
      path.join(root, "ChattyFlow"),
      "size=64k",
      [path.join(REPO, "test/fixtures/flows/chatty.ts"), "run"],
      env,
    );
    // then
    assert.notEqual(result.code, 0);
    assert.notEqual(result.code, 70, result.stderr);
    assert.doesNotMatch(result.stderr, /Internal error|\n\s+at /, result.stderr.slice(-3000));
    assert.match(result.stderr, /no space left on the device \(ENOSPC\)/);
    assert.deepEqual(result.leftovers, []);
  });

  test("once there is room again, the run that hit a full disk is resumed to the end", async () => {
    // given: the flow folder is a 64 KB tmpfs; the run fails on it, the tmpfs is then grown and
    // the run resumed — all in one mount namespace, so the failed run's records are still there
    const root = path.join(tempDir(), ".flowship");
    const flowFile = path.join(REPO, "test/fixtures/flows/chatty.ts");
    const env = flowshipEnv(root, { PRINT_KB: "200" });
    assert.equal((await runCli([flowFile, "check"], { env })).code, 0);
    const folder = path.join(root, "ChattyFlow");
    fs.mkdirSync(folder, { recursive: true });
    const run = (args: string) =>
      `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${JSON.stringify(flowFile)} ${args}`;
    const script = [
      `mount -t tmpfs -o size=64k tmpfs ${JSON.stringify(folder)} || exit 99`,
      `${run("run")} > /dev/null 2>&1; echo "run exited $?"`,
      `mount -o remount,size=64m ${JSON.stringify(folder)}`,
      `${run("resume")} > /dev/null 2> resume.err; echo "resume exited $?"; tail -3 resume.err`,
    ].join("\n");
    const result = await runCommand("unshare", ["-m", "sh", "-c", script], { cwd: tempDir(), env });
    const out = result.stdout + result.stderr;
    // then
    assert.equal(result.code, 0, out);
    assert.match(out, /run exited 1/);
    assert.match(out, /resume exited 0/, out);
  });
});

test("a 20 MB line is printed and logged in pieces of 1 MB, not held whole", async () => {
  const root = path.join(tempDir(), ".flowship");
  const env = flowshipEnv(root, { LONG_LINE_MB: "20" });
  const result = await runCli([path.join(REPO, "test/fixtures/flows/chatty.ts"), "run"], { env });
  assert.equal(result.code, 0, result.stderr.slice(0, 500));
  const pieces = result.stdout.split("\n").filter((line) => /\] y+$/.test(line));
  assert.equal(pieces.length, 20);
  for (const piece of pieces) assert.equal(piece.length - piece.indexOf("] ") - 2, 1024 * 1024);
});

test("temporary files a killed writer left in data/ are swept by the next run once an hour old", async () => {
  // given: a stale and a fresh temporary file where large blobs are written
  const root = path.join(tempDir(), ".flowship");
  const data = path.join(root, "ParameterFlow", "data");
  fs.mkdirSync(data, { recursive: true });
  const stale = path.join(data, "unnamed.tmp-1-0badc0de");
  const fresh = path.join(data, "unnamed.tmp-2-0ddba11a");
  fs.writeFileSync(stale, "left by a killed writer");
  fs.writeFileSync(fresh, "a live writer's");
  const twoHoursAgo = new Date(Date.now() - 7_200_000);
  fs.utimesSync(stale, twoHoursAgo, twoHoursAgo);
  // when
  const result = await runCli(["examples/parameter_flow.ts", "run"], { env: flowshipEnv(root) });
  // then
  assert.equal(result.code, 0, result.stderr);
  assert.equal(fs.existsSync(stale), false, "the stale temporary file is still there");
  assert.equal(fs.existsSync(fresh), true, "a live writer's file was removed");
});
