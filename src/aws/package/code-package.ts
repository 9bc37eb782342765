/**
 * The code package: what a Batch container downloads to run a flow's steps. A gzipped tar with
 *
 *   batch-task.mjs      the flowship runtime that runs a task (see runtime-bundle.ts); the job's
 *                       bootstrap imports it once the package's sha256 is verified
 *   flow.mjs            the compiled flow (see run/compile-flow.ts), run with plain `node`
 *   flow.mjs.map        its source map, whose source root is source/
 *   source/<path>       the flow's sources below the source root, for reproducibility
 *   manifest.json       flowship version, flow, and the sha256 of every other file
 *
 * The bytes depend only on those contents, so the same code always has the same sha256 and is
 * uploaded once (see code-package-store.ts).
 */
import fs from "node:fs";
import path from "node:path";
import { sha256 } from "../../util/hash.js";
import { withSourceMappingUrl } from "../../util/source-map-comment.js";
import { FLOWSHIP_VERSION } from "../../version.js";
import { type ArchiveFile, createDeterministicTgz } from "./deterministic-tar.js";
import { CodePackageError } from "./errors.js";
import { MANIFEST_FILE, PACKAGE_ENTRY, RUNTIME_ENTRY, SOURCE_FOLDER } from "./package-layout.js";
import { PathRules } from "./path-rules.js";
import { buildRuntimeBundle } from "./runtime-bundle.js";

/** What to package. */
export interface CodePackageOptions {
  /** The flow's name; packages are stored below `<flow>/code/`. */
  flow: string;
  /** The flow file; it must be below `sourceRoot`. */
  flowFile: string;
  /** The compiled bundle (`CompiledFlow.bundle`); its `.map` beside it is packaged too. */
  bundlePath: string;
  /** The folder sources are packaged relative to, usually the project root. */
  sourceRoot: string;
  /** Sources the bundle was built from (`CompiledFlow.inputs`), relative to the current folder. @default [] */
  inputs?: readonly string[];
  /** Globs of further files below `sourceRoot` to ship, e.g. `config/*.json`. @default [] */
  include?: readonly string[];
  /** Globs of files never to ship, on top of the fixed rules in path-rules.ts. @default [] */
  exclude?: readonly string[];
  /** Files the flow reads at run time (includeFile defaults): shipped, or the package is refused. @default [] */
  required?: readonly { file: string; why: string }[];
}

/** One file in the package. */
export interface PackagedFile {
  path: string;
  sha256: string;
  size: number;
}

/** A file that was asked for but left out, and why. */
export interface OmittedFile {
  path: string;
  reason: string;
}

/** `manifest.json`. */
export interface CodePackageManifest {
  formatVersion: 1;
  flowshipVersion: string;
  flow: string;
  /** The flow file, relative to the source root. */
  flowFile: string;
  entry: typeof PACKAGE_ENTRY;
  /** The runtime module the bootstrap imports. */
  runtime: typeof RUNTIME_ENTRY;
  /** sha256 of the bundle as compiled (`CompiledFlow.codeHash`), before its map pointer was renamed. */
  bundleSha256: string;
  files: PackagedFile[];
}

/** A built package. */
export interface CodePackage {
  flow: string;
  bytes: Buffer;
  sha256: string;
  manifest: CodePackageManifest;
  /** Every file in the archive except the manifest. */
  files: PackagedFile[];
  omitted: OmittedFile[];
}

/**
 * Builds the code package of a compiled flow. Deterministic: the same bundle and sources give
 * the same bytes. Files matching the fixed never-ship rules (`.env*`, `.aws/`, keys, …) or
 * `exclude` are left out even when an input or an `include` glob names them.
 *
 * @example
 * const compiled = await compileFlow({ file: "flows/hello.ts", outDir });
 * const pkg = await buildCodePackage({
 *   flow: "HelloFlow", flowFile: "flows/hello.ts", bundlePath: compiled.bundle,
 *   sourceRoot: process.cwd(), inputs: compiled.inputs,
 * });
 */
export async function buildCodePackage(options: CodePackageOptions): Promise<CodePackage> {
  const root = realDirectory(options.sourceRoot);
  const rules = new PathRules(options);
  const flowFile = relativeInside(root, realFile(options.flowFile, "flow file"));
  if (flowFile === undefined) {
    throw new CodePackageError(
      "FS_CODE_PACKAGE_OUTSIDE_ROOT",
      `Flow file is outside the source root: '${options.flowFile}'. Pass --source-root with a folder that contains it (source root '${options.sourceRoot}').`,
    );
  }
  const required = options.required ?? [];
  const { sources, omitted } = collectSources(root, rules, [
    options.flowFile,
    ...(options.inputs ?? []),
    ...required.map((r) => r.file),
    ...walkIncluded(root, rules),
  ]);
  for (const { file, why } of required) {
    const shown = toPosix(path.relative(root, path.resolve(file)));
    const refusal = omitted.find((o) => o.path === shown)?.reason;
    if (refusal) {
      throw new CodePackageError(
        "FS_CODE_PACKAGE_REQUIRED_FILE",
        `Cannot ship ${why} '${file}' in the code package: ${refusal}${refusal === "outside the source root" ? ` (source root '${options.sourceRoot}'; pass --source-root)` : ""}.`,
      );
    }
  }
  const bundle = readBundle(options.bundlePath, root, sources);
  const files: ArchiveFile[] = [...bundle.files, { path: RUNTIME_ENTRY, bytes: await buildRuntimeBundle() }];
  for (const [relative, real] of sources) {
    files.push({ path: `${SOURCE_FOLDER}/${relative}`, bytes: fs.readFileSync(real) });
  }
  const listed = files
    .map((f) => ({ path: f.path, sha256: sha256(f.bytes), size: f.bytes.length }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifest: CodePackageManifest = {
    formatVersion: 1,
    flowshipVersion: FLOWSHIP_VERSION,
    flow: options.flow,
    flowFile,
    entry: PACKAGE_ENTRY,
    runtime: RUNTIME_ENTRY,
    bundleSha256: bundle.sha256,
    files: listed,
  };
  files.push({ path: MANIFEST_FILE, bytes: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`) });
  const bytes = createDeterministicTgz(files);
  return { flow: options.flow, bytes, sha256: sha256(bytes), manifest, files: listed, omitted };
}

/**
 * The folder whose files a code package may ship when none is given: the current folder when it
 * holds the flow file (a project run from its root), else the flow file's own folder.
 */
export function defaultSourceRoot(flowFile: string): string {
  const cwd = process.cwd();
  let real: string;
  try {
    real = fs.realpathSync(flowFile);
  } catch {
    return cwd;
  }
  return relativeInside(realDirectory(cwd), real) === undefined ? path.dirname(real) : cwd;
}

/** Resolves candidates to real files below the root that the rules let through. */
function collectSources(
  root: string,
  rules: PathRules,
  candidates: readonly string[],
): { sources: Map<string, string>; omitted: OmittedFile[] } {
  const sources = new Map<string, string>();
  const omitted = new Map<string, string>();
  for (const candidate of candidates) {
    const given = path.resolve(candidate);
    const shown = toPosix(path.relative(root, given));
    let real: string;
    try {
      real = fs.realpathSync(given);
    } catch {
      omitted.set(shown, "not found");
      continue;
    }
    const relative = relativeInside(root, real);
    // A symlink is judged by its own name and by its target's, so `notes.txt -> ~/.aws/credentials`
    // stays out.
    const refusal =
      relative === undefined
        ? "outside the source root"
        : (rules.refusal(shown) ??
          rules.refusal(relative) ??
          (fs.statSync(real).isFile() ? undefined : "not a file"));
    if (refusal) omitted.set(shown, refusal);
    else sources.set(relative!, real);
  }
  for (const relative of sources.keys()) omitted.delete(relative);
  const sorted = new Map([...sources].sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    sources: sorted,
    omitted: [...omitted]
      .map(([p, reason]) => ({ path: p, reason }))
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
  };
}

/** Files below the root that an include glob asks for; never-shipped folders are not entered. */
function walkIncluded(root: string, rules: PathRules): string[] {
  const found: string[] = [];
  const visit = (folder: string): void => {
    const entries = fs.readdirSync(path.join(root, folder), { withFileTypes: true });
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relative = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!rules.prunes(relative)) visit(relative);
      } else if (rules.included(relative)) {
        found.push(path.join(root, relative));
      }
    }
  };
  visit("");
  return found;
}

/** The bundle as `flow.mjs`, and its map rewritten to point at the packaged sources. */
function readBundle(
  bundlePath: string,
  root: string,
  sources: ReadonlyMap<string, string>,
): { files: ArchiveFile[]; sha256: string } {
  const original = fs.readFileSync(realFile(bundlePath, "compiled bundle"));
  const mapPath = `${bundlePath}.map`;
  if (!fs.existsSync(mapPath))
    return { files: [{ path: PACKAGE_ENTRY, bytes: original }], sha256: sha256(original) };
  const text = withSourceMappingUrl(original.toString("utf8"), `${PACKAGE_ENTRY}.map`);
  const map = JSON.parse(fs.readFileSync(mapPath, "utf8")) as {
    file?: string;
    sourceRoot?: string;
    sources?: string[];
  };
  const base = path.resolve(path.dirname(bundlePath), map.sourceRoot ?? "");
  map.file = PACKAGE_ENTRY;
  // Sources are named below source/, the map's source root: a stack trace of a production task
  // shows them as a local run does, relative to the project (task/source-map-stack.ts). Sources
  // not packaged (flowship's own) keep where they were relative to the bundle.
  map.sourceRoot = `${SOURCE_FOLDER}/`;
  map.sources = (map.sources ?? []).map((source) => {
    const relative = relativeInside(root, path.resolve(base, source));
    return relative !== undefined && sources.has(relative) ? relative : `../${source}`;
  });
  return {
    files: [
      { path: PACKAGE_ENTRY, bytes: Buffer.from(text) },
      { path: `${PACKAGE_ENTRY}.map`, bytes: Buffer.from(JSON.stringify(map)) },
    ],
    sha256: sha256(original),
  };
}

function realDirectory(folder: string): string {
  try {
    const real = fs.realpathSync(folder);
    if (fs.statSync(real).isDirectory()) return real;
  } catch {}
  throw new CodePackageError(
    "FS_CODE_PACKAGE_SOURCE_ROOT",
    `Source root of the code package is not a folder: '${folder}'. Pass the project folder.`,
  );
}

function realFile(file: string, what: string): string {
  try {
    return fs.realpathSync(file);
  } catch (error) {
    throw new CodePackageError(
      "FS_CODE_PACKAGE_FILE_MISSING",
      `Cannot package the ${what}: '${file}' does not exist. Compile the flow again.`,
      { cause: error },
    );
  }
}

/** `target` relative to `root` with `/`, or undefined when it is not below `root`. */
function relativeInside(root: string, target: string): string | undefined {
  const relative = path.relative(root, target);
  if (
    relative === "" ||
    relative === ".." ||
    relative.startsWith(`..${path.sep}`) ||
    path.isAbsolute(relative)
  ) {
    return undefined;
  }
  return toPosix(relative);
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
