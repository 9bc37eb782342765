/**
 * Skips esbuild when a flow's last build would come out the same: loading esbuild and starting its
 * service process cost ~100 ms of a run's start-up. The rule, checked in full before a bundle is
 * reused (any difference, or anything unreadable, means a new build):
 *
 * - the same build: flow file, options, flowship's compiler (this folder's compile-flow module,
 *   hashed) and esbuild's version;
 * - every file the last build read (its metafile's inputs: the user's modules, flowship's own,
 *   libraries) has the same content (sha256, not a timestamp);
 * - every folder those files lie in, and every folder above one, shows resolution the same
 *   entries (names, kinds, symlink targets; see seen()), and each package.json, tsconfig.json and
 *   jsconfig.json in them has the same content. An import resolves by looking in these folders
 *   (`./x` tries x.tsx, x.ts, x/index.ts… beside the importer; `pkg` tries node_modules in the
 *   importer's folder and each one above; package.json `exports` and tsconfig `paths` steer
 *   both), so a file added, removed or retargeted that could change what an import finds changes
 *   what is recorded here. A folder that holds a source file is recorded whole: any new file in
 *   it (a step's output written beside the flow) means one more build, never a stale bundle;
 * - the bundle (and its map, when it has one) is there, byte for byte what that build wrote.
 *
 * A build is recorded only when none of the files it read, nor a folder holding one, changed after it
 * began (their ctime): what is hashed afterwards must be what esbuild read.
 *
 * Hashing every file and listing every folder on each run costs ~5–10 ms, so each is also recorded
 * with its stamp (device, inode, size, mtime and ctime, taken before it was read). When the stamp
 * is unchanged, what the file or folder gave then is taken as it is: no write, rename, new entry or
 * removal leaves a file's or folder's ctime as it was (a user can set mtime, never ctime). A stamp
 * that differs only means the content is checked the long way, as before; one taken within moments of
 * the last change is not recorded (a later change could share its clock tick).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeFileAtomic } from "../util/atomic-file.js";
import { sha256 } from "../util/hash.js";

interface BuildRecord {
  key: string;
  bundle: string;
  codeHash: string;
  /** Whether the bundle has a source map beside it (`<bundle>.map`), which must be there too. */
  map: boolean;
  /** sha256 of the bundle file as written (its source map comment renamed, so not the code hash). */
  bundleHash: string;
  /** Absolute paths of the inputs that are the user's (what CompiledFlow.inputs lists). */
  inputs: string[];
  /** Absolute path → sha256 of its content. */
  files: Record<string, string>;
  /** Absolute folder → what it was checked by (see Folder) and what that gave. */
  dirs: Record<string, { children: string[] | null; seen: string }>;
  /** A read file's or a folder's path → its stamp when it was read (see stamp()); absent in older records. */
  stamps?: Record<string, string>;
}

export interface CachedBuild {
  bundle: string;
  codeHash: string;
  inputs: string[];
}

const CONFIG_FILES = ["package.json", "tsconfig.json", "jsconfig.json"];

const CLOCK_SLACK_MS = 50;

let compilerIdentity: string | undefined;

/**
 * What else decides the output: this compiler's code and esbuild's version. A builder elsewhere (the
 * task host's, runtime/task-host-pool.ts) puts the hash of its own code in its build key.
 */
function compiler(): string {
  if (compilerIdentity === undefined) {
    const here = fileURLToPath(import.meta.url);
    const ext = path.extname(here);
    const own = ["compile-flow", "build-cache"].map((name) =>
      hashFile(path.join(path.dirname(here), `${name}${ext}`)),
    );
    const esbuildMain = createRequire(import.meta.url).resolve("esbuild");
    const esbuildPackage = fs.readFileSync(
      path.join(path.dirname(esbuildMain), "..", "package.json"),
      "utf8",
    );
    compilerIdentity = sha256(
      `${own.join("\n")}\n${(JSON.parse(esbuildPackage) as { version: string }).version}`,
    );
  }
  return compilerIdentity;
}

/** Not `.json`: the datastore's metadata records are, and carry a checksum these do not. */
function recordPath(outDir: string, key: string): string {
  return path.join(outDir, "builds", `${sha256(key)}.record`);
}

function entryText(dir: string, entry: fs.Dirent): string {
  if (entry.isSymbolicLink()) return `${entry.name}@${fs.readlinkSync(path.join(dir, entry.name))}`;
  return `${entry.name}${entry.isDirectory() ? "/" : ""}`;
}

function listing(dir: string): string {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((entry) => entryText(dir, entry))
    .sort()
    .join("\n");
}

/**
 * What resolution can see in `dir`: its node_modules (listed: a package added here shadows one
 * further up), its package.json, tsconfig.json and jsconfig.json (content), and its other entries —
 * all of them in a folder that holds an input (`./x` may find x.tsx, x.ts, x.js, x/…) or a
 * tsconfig (its baseUrl and paths may point anywhere below it); in a folder above, only those
 * named like the folder on the way down with an extension (`../lib` finds lib.ts before lib/).
 */
function seen(dir: string, children: string[] | null): string {
  const entries = fs.readdirSync(dir, { withFileTypes: true });
  const whole =
    children === null || entries.some((e) => e.name === "tsconfig.json" || e.name === "jsconfig.json");
  const parts: string[] = [];
  // No path is joined for the entries that are only named (a folder such as /tmp may hold thousands).
  for (const entry of entries) {
    if (entry.name === "node_modules")
      parts.push(`${entryText(dir, entry)}\n${listing(path.join(dir, entry.name))}`);
    else if (CONFIG_FILES.includes(entry.name))
      parts.push(`${entryText(dir, entry)} ${hashFile(path.join(dir, entry.name))}`);
    else if (whole || children.some((child) => entry.name.startsWith(`${child}.`)))
      parts.push(entryText(dir, entry));
  }
  return parts.sort().join("\n");
}

function hashFile(file: string): string {
  return sha256(fs.readFileSync(file));
}

/**
 * What tells, without reading it, that `target` is as it was: its identity, size and times
 * (followed through a symbolic link); undefined when it is missing or changed too recently to tell.
 */
function statStamp(target: string): string | undefined {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat || Date.now() - stat.ctimeMs < CLOCK_SLACK_MS) return undefined;
  return `${stat.dev}:${stat.ino}:${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}`;
}

/**
 * A file's stamp; for a folder, also those of what seen() reads in it besides its entries: its
 * node_modules (the link and the folder it leads to) and its package.json, tsconfig.json and
 * jsconfig.json. Any part missing now but not then (or the reverse) makes another stamp.
 */
function stamp(target: string, folder: boolean): string | undefined {
  const own = statStamp(target);
  if (own === undefined || !folder) return own;
  const parts = [own];
  const modules = path.join(target, "node_modules");
  const link = fs.lstatSync(modules, { throwIfNoEntry: false });
  if (link) {
    if (Date.now() - link.ctimeMs < CLOCK_SLACK_MS) return undefined;
    parts.push(`${link.ino}:${link.ctimeMs}`, statStamp(modules) ?? "?");
  }
  for (const name of CONFIG_FILES) {
    if (!fs.existsSync(path.join(target, name))) continue;
    const config = statStamp(path.join(target, name));
    if (config === undefined) return undefined;
    parts.push(`${name}=${config}`);
  }
  return parts.includes("?") ? undefined : parts.join(" ");
}

/** Whether `target` carries the stamp recorded for it: then what was recorded of it still holds. */
function unchanged(stamps: Record<string, string> | undefined, target: string, folder: boolean): boolean {
  const was = stamps?.[target];
  return was !== undefined && stamp(target, folder) === was;
}

/** The last build of `key` when the rule above says it is still what a build would give. */
export function cachedBuild(outDir: string, buildKey: string): CachedBuild | undefined {
  try {
    const key = `${compiler()}\n${buildKey}`;
    const record = JSON.parse(fs.readFileSync(recordPath(outDir, key), "utf8")) as BuildRecord;
    if (record.key !== key) return undefined;
    const { stamps } = record;
    for (const [dir, was] of Object.entries(record.dirs))
      if (!unchanged(stamps, dir, true) && seen(dir, was.children) !== was.seen) return undefined;
    for (const [file, hash] of Object.entries(record.files))
      if (!unchanged(stamps, file, false) && hashFile(file) !== hash) return undefined;
    if (record.map && !fs.existsSync(`${record.bundle}.map`)) return undefined;
    // Always hashed: it was written moments before it was recorded, too recently to be stamped.
    if (hashFile(record.bundle) !== record.bundleHash) return undefined;
    return { bundle: record.bundle, codeHash: record.codeHash, inputs: record.inputs };
  } catch {
    return undefined;
  }
}

/** Records a build: `read` is every file it read (absolute), `inputs` the user's among them. */
export function recordBuild(
  outDir: string,
  buildKey: string,
  build: {
    bundle: string;
    map: boolean;
    codeHash: string;
    bundleHash: string;
    inputs: string[];
    read: string[];
    /** When the build began (Date.now()). */
    startedAt: number;
  },
): void {
  try {
    const key = `${compiler()}\n${buildKey}`;
    const files: Record<string, string> = {};
    const stamps: Record<string, string> = {};
    // Each stamp is taken before its content is read: a change in between gives a stamp that
    // differs next time, which only means checking that content again.
    const stampOf = (target: string, folder: boolean) => {
      const taken = stamp(target, folder);
      if (taken !== undefined) stamps[target] = taken;
    };
    // Folders holding an input (null: seen whole), and the others above them with the names of
    // their children on the way down.
    const folders = new Map<string, Set<string> | null>();
    for (const file of build.read) {
      stampOf(file, false);
      files[file] = hashFile(file);
      folders.set(path.dirname(file), null);
    }
    for (const file of build.read) {
      for (let dir = path.dirname(file); path.dirname(dir) !== dir; dir = path.dirname(dir)) {
        const parent = path.dirname(dir);
        const children = folders.get(parent);
        if (children === null) continue;
        folders.set(parent, (children ?? new Set()).add(path.basename(dir)));
      }
    }
    // A file edited, or a folder's entries changed, after the build began may not be what the
    // build read: then nothing is recorded (the kernel's clock for ctime may lag a tick behind).
    for (const [at, children] of [...build.read.map((file) => [file, null] as const), ...folders]) {
      if (children === null && fs.statSync(at).ctimeMs >= build.startedAt - CLOCK_SLACK_MS) return;
    }
    const dirs: BuildRecord["dirs"] = {};
    for (const [dir, children] of folders) {
      const names = children === null ? null : [...children].sort();
      stampOf(dir, true);
      dirs[dir] = { children: names, seen: seen(dir, names) };
    }
    const record: BuildRecord = {
      key,
      bundle: build.bundle,
      map: build.map,
      codeHash: build.codeHash,
      bundleHash: build.bundleHash,
      inputs: build.inputs,
      files,
      dirs,
      stamps,
    };
    fs.mkdirSync(path.dirname(recordPath(outDir, key)), { recursive: true });
    writeFileAtomic(recordPath(outDir, key), [JSON.stringify(record)]);
  } catch {
    // Not recorded: the next run builds again.
  }
}
