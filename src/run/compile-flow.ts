/**
 * Compiles a flow file once per run into one self-contained ES module: the user's code, its
 * imports and flowship's task executor. Every task process runs this file with plain `node`, so
 * a task starts as fast as node itself (no TypeScript compiler, no module resolution).
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { FlowshipError, isFlowshipError, toStepFailure } from "../errors.js";
import { writeFileAtomic } from "../util/atomic-file.js";
import { sha256 } from "../util/hash.js";
import { withIoErrors } from "../util/io-error.js";
import { mapStackPositions } from "../util/original-position.js";
import { withSourceMappingUrl } from "../util/source-map-comment.js";
import { FLOWSHIP_VERSION } from "../version.js";
import { cachedBuild, recordBuild } from "./build-cache.js";

export interface CompiledFlow {
  /** The flow file as given. */
  source: string;
  /** Absolute path of the compiled module. */
  bundle: string;
  /** sha256 of the compiled module: the code hash recorded on every run. */
  codeHash: string;
  /** Source files that went into the bundle, relative to the current directory. */
  inputs: string[];
}

export class FlowCompileError extends FlowshipError {}

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** flowship's own module `relative` to src/ (or dist/): .js next to compiled code, .ts when running from source. */
export function ownModule(relative: string): string {
  const js = path.resolve(HERE, "..", `${relative}.js`);
  return fs.existsSync(js) ? js : path.resolve(HERE, "..", `${relative}.ts`);
}

const OWN_MODULES: Record<string, string> = {
  flowship: "index",
  "flowship/client": "client/index",
  "flowship/task": "task/index",
};

export interface CompileFlowOptions {
  file: string;
  outDir: string;
  /**
   * Bundle the S3 datastore backend (and with it the AWS SDK, ~1.4 MB). Without it a task
   * starts ~25 ms faster; runs on the local datastore never need it. @default false
   */
  withS3?: boolean;
  /**
   * What the file is: a flow (the bundle can also run its tasks), or a script that uses the
   * Client API (`flowship exec`), bundled as it is. @default "flow"
   */
  kind?: "flow" | "script";
}

const S3_STUB = `export class S3Storage { constructor() { throw new Error("This compiled flow was built for the local datastore; compile it with the S3 backend to use s3://."); } }`;

/** How flowship bundles code for Node: one ES module, in memory, quietly (errors are thrown). */
export const NODE_BUNDLE = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  write: false,
  logLevel: "silent",
} as const;

/** Bundled CommonJS dependencies may call require(); an ES module bundle gives them one. */
export const NODE_REQUIRE_BANNER =
  "import { createRequire as __flowshipRequire } from 'node:module'; const require = __flowshipRequire(import.meta.url);";

/**
 * An esbuild plugin that inlines flowship's version: version.ts reads package.json beside
 * flowship, which a bundle that travels alone (a code package in a container) does not have.
 */
export const INLINE_VERSION_PLUGIN = {
  name: "flowship-version",
  setup(build: import("esbuild").PluginBuild) {
    // Exactly flowship's own file: a user's src/version.ts is theirs.
    const own = ownModule("version").replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    build.onLoad({ filter: new RegExp(`^${own}$`) }, () => ({
      contents: `export const FLOWSHIP_VERSION = ${JSON.stringify(FLOWSHIP_VERSION)};`,
      loader: "js",
    }));
  },
};

const LOADERS: Record<string, "ts" | "tsx" | "js" | "jsx"> = {
  ".ts": "ts",
  ".mts": "ts",
  ".cts": "ts",
  ".tsx": "tsx",
  ".js": "js",
  ".mjs": "js",
  ".cjs": "js",
  ".jsx": "jsx",
};

/**
 * An esbuild plugin that keeps `import.meta.url` in the user's own modules what it was before
 * bundling — the URL of their source file — so `new URL("./data.csv", import.meta.url)` reads
 * the file next to the flow, not one next to the compiled bundle. (On AWS Batch the sources are
 * elsewhere; includeFile parameters and `with { type: "text" }` imports travel with the flow.)
 */
const MODULE_URL_PLUGIN = {
  name: "flowship-module-url",
  setup(build: import("esbuild").PluginBuild) {
    build.onLoad({ filter: /\.(c|m)?(j|t)sx?$/ }, async (args) => {
      const loader = LOADERS[path.extname(args.path)];
      const ownOrLibrary =
        args.path.includes(`${path.sep}node_modules${path.sep}`) ||
        OWN_TREES.some((tree) => args.path.startsWith(tree));
      if (!loader || ownOrLibrary) return undefined;
      const source = await fs.promises.readFile(args.path, "utf8");
      if (!source.includes("import.meta.url")) return undefined;
      const url = JSON.stringify(pathToFileURL(args.path).href);
      return { contents: source.replace(/\bimport\.meta\.url\b/g, url), loader };
    });
  },
};

/** The files esbuild compiles as code: a flow file or script has one of these extensions. */
const SOURCE_EXTENSIONS = new Set([".ts", ".mts", ".cts", ".tsx", ".js", ".mjs", ".cjs", ".jsx"]);

export async function compileFlow(options: CompileFlowOptions): Promise<CompiledFlow> {
  const file = path.resolve(options.file);
  if (!fs.existsSync(file)) {
    const what = options.kind === "script" ? "Script" : "Flow file";
    throw new FlowCompileError("FS_FLOW_FILE_MISSING", `${what} not found: '${options.file}'.`, {
      exitCode: 2,
    });
  }
  // esbuild would take a folder as a module to resolve: '' (the current folder) as '../<folder>.ts'.
  if (fs.statSync(file).isDirectory()) {
    const what = options.kind === "script" ? "Script" : "Flow file";
    throw new FlowCompileError(
      "FS_FLOW_FILE_FOLDER",
      `${what} '${options.file}' is a folder: give the path of a .ts or .js file.`,
      { exitCode: 2 },
    );
  }
  // esbuild would answer a data file given by mistake (`flowship movies.csv run`) with an error
  // about its own entry module; say what is wrong instead.
  if (!SOURCE_EXTENSIONS.has(path.extname(file).toLowerCase())) {
    const what = options.kind === "script" ? "a script" : "a flow file";
    throw new FlowCompileError(
      "FS_FLOW_NOT_SOURCE",
      `Not ${what}: '${options.file}'. Give a TypeScript or JavaScript file (${[...SOURCE_EXTENSIONS].join(", ")}).`,
      { exitCode: 2 },
    );
  }
  const buildKey = JSON.stringify([file, options.kind ?? "flow", options.withS3 === true]);
  const cached = cachedBuild(options.outDir, buildKey);
  if (cached) {
    const inputs = cached.inputs.map((p) => path.relative(process.cwd(), p));
    return { source: options.file, bundle: cached.bundle, codeHash: cached.codeHash, inputs };
  }
  const startedAt = Date.now();
  const result = await bundleFlow(file, options);
  const { bundle, codeHash, text } = writeBundle(result, options.outDir);
  const inputs = Object.keys(result.metafile!.inputs)
    .filter((p) => !p.includes("node_modules") && !p.startsWith("<stdin>") && !p.startsWith("flowship-entry"))
    .map((p) => path.relative(process.cwd(), path.resolve(p)));
  // Every file esbuild read: not the entry (given on stdin, made from the key), not a plugin's
  // stub in a namespace of its own.
  const read = Object.keys(result.metafile!.inputs)
    .filter((p) => !/^[a-z-]+:/.test(p))
    .map((p) => path.resolve(p))
    .filter((p) => p !== path.join(path.dirname(file), "flowship-entry.js"));
  recordBuild(options.outDir, buildKey, {
    bundle,
    map: true,
    codeHash,
    bundleHash: sha256(text),
    startedAt,
    inputs: inputs.map((p) => path.resolve(p)),
    read,
  });
  return { source: options.file, bundle, codeHash, inputs };
}

type BuildResult = import("esbuild").BuildResult<{ metafile: true; write: false }>;

/** Runs esbuild over the flow (or script) `file`, in memory; its first error becomes FS_FLOW_COMPILE. */
async function bundleFlow(file: string, options: CompileFlowOptions): Promise<BuildResult> {
  const esbuild = await import("esbuild");
  const entry =
    options.kind === "script"
      ? `import ${JSON.stringify(file)};`
      : [
          `import { runTaskProcessIfTask } from "flowship/task";`,
          `export * as flowModule from ${JSON.stringify(file)};`,
          "await runTaskProcessIfTask();",
        ].join("\n");
  try {
    return await esbuild.build({
      stdin: {
        contents: entry,
        resolveDir: path.dirname(file),
        sourcefile: "flowship-entry.js",
        loader: "js",
      },
      ...NODE_BUNDLE,
      outfile: path.join(options.outDir, "flow.mjs"),
      sourcemap: "linked",
      sourcesContent: false,
      metafile: true,
      banner: { js: NODE_REQUIRE_BANNER },
      plugins: [INLINE_VERSION_PLUGIN, MODULE_URL_PLUGIN, selfPlugin(options.withS3 === true)],
    });
  } catch (error) {
    const failure = (
      error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }
    ).errors?.[0];
    if (failure) {
      const where = failure.location
        ? `${failure.location.file}:${failure.location.line}:${failure.location.column}: `
        : "";
      throw new FlowCompileError(
        "FS_FLOW_COMPILE",
        `Cannot compile ${options.kind === "script" ? "script" : "flow file"} '${options.file}': ${where}${failure.text}.`,
        {
          cause: error,
        },
      );
    }
    throw error;
  }
}

/**
 * An esbuild plugin that resolves the flow's `flowship` imports to the flowship that compiles it
 * (one copy), and, without `withS3`, stands a stub in for the S3 backend so the AWS SDK stays out.
 */
function selfPlugin(withS3: boolean): import("esbuild").Plugin {
  return {
    name: "flowship-self",
    setup(build) {
      build.onResolve({ filter: /^flowship(\/(client|task))?$/ }, (args) => ({
        path: ownModule(OWN_MODULES[args.path]!),
      }));
      if (!withS3) {
        build.onResolve({ filter: /[\\/]backends[\\/]s3\.(js|ts)$/ }, () => ({
          path: "s3-stub",
          namespace: "flowship-stub",
        }));
        build.onLoad({ filter: /.*/, namespace: "flowship-stub" }, () => ({
          contents: S3_STUB,
          loader: "js",
        }));
      }
    },
  };
}

/** Writes the bundle and its map, named by the bundle's sha256, unless that bundle is there already. */
function writeBundle(
  result: BuildResult,
  outDir: string,
): { bundle: string; codeHash: string; text: string } {
  const js = result.outputFiles.find((f) => f.path.endsWith(".mjs"))!;
  const map = result.outputFiles.find((f) => f.path.endsWith(".map"))!;
  const codeHash = sha256(js.contents);
  const bundle = path.join(outDir, `${codeHash}.mjs`);
  // The map is named after the bundle, so rewrite the bundle's pointer to it.
  const text = withSourceMappingUrl(js.text, `${codeHash}.mjs.map`);
  // A cached bundle is reused only when it is byte for byte what was just compiled: one edited
  // in place would run other code under this code hash.
  if (!sameText(bundle, text)) {
    withIoErrors("write the compiled flow to", bundle, () => {
      writeFileAtomic(`${bundle}.map`, [markOwnSources(map.text, outDir)]);
      writeFileAtomic(bundle, [text]);
    });
  }
  return { bundle, codeHash, text };
}

// flowship's own sources (src/ when running from source, dist/ once built): frames in them are
// never where a user's mistake is.
const OWN_TREES = ["src", "dist"].map((dir) => `${path.resolve(HERE, "../..", dir)}${path.sep}`);
const STACK_FRAME = /(?:\(|at )((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?$/;

/**
 * Lists flowship's own sources and the generated entry in the map's `ignoreList` (source map v3):
 * a failing task's stack then shows the user's frames only, not the executor's or an entry file
 * that exists nowhere on disk.
 */
function markOwnSources(mapText: string, outDir: string): string {
  const map = JSON.parse(mapText) as { sources: string[]; ignoreList?: number[] };
  map.ignoreList = map.sources.flatMap((source, i) => {
    const file = source.startsWith("file://") ? fileURLToPath(source) : path.resolve(outDir, source);
    return path.basename(file) === "flowship-entry.js" || OWN_TREES.some((tree) => file.startsWith(tree))
      ? [i]
      : [];
  });
  return JSON.stringify(map);
}

/** `file:line` of the first stack frame outside flowship and node itself: the user's line. */
export function userFrame(stack: string | undefined): { file: string; line: number } | undefined {
  for (const line of (stack ?? "").split("\n").slice(1)) {
    const match = STACK_FRAME.exec(line.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    if (
      OWN_TREES.some((tree) => file.startsWith(tree)) ||
      file.includes(`${path.sep}node_modules${path.sep}`)
    )
      continue;
    return { file, line: Number(match[2]) };
  }
  return undefined;
}

/** Imports a compiled flow in this process, to read its definition. */
export async function importCompiledFlow(compiled: CompiledFlow): Promise<Record<string, unknown>> {
  // Imported with source maps off: on, formatting the stack of every step's callerLocation
  // through the map costs ~130 ms a run. Locations and this error's frame are mapped when shown.
  // A file that ends the process while it is imported (process.exit at its top level) would end
  // the command without a word, with exit code 0 when it gave none: it says why, and fails.
  const exiting = (code: number) => {
    process.stderr.write(
      `error: Flow file '${compiled.source}' called process.exit(${code}) while loading: nothing ran. A flow file defines the flow; remove the call.\n`,
    );
    if (!code) process.exitCode = 1;
  };
  process.once("exit", exiting);
  try {
    const module = (await import(pathToFileURL(compiled.bundle).href)) as {
      flowModule: Record<string, unknown>;
    };
    return module.flowModule;
  } catch (error) {
    // Whatever the file threw (a string, `undefined`, a Proxy), described without reading it again.
    const { stack, message, code } = toStepFailure(error);
    const frame = userFrame(stack === undefined ? undefined : mapStackPositions(stack));
    if (code !== undefined && isFlowshipError(error)) {
      // A mistake flowship found while the flow was being defined (a bad decorator): its own
      // message and code, at the user's line like the graph rules.
      throw new FlowCompileError(
        error.code,
        frame ? `${frame.file}:${frame.line}: ${error.message}` : error.message,
        { cause: error, exitCode: error.exitCode },
      );
    }
    const location = frame ? ` (at ${path.relative(process.cwd(), frame.file)}:${frame.line})` : "";
    throw new FlowCompileError(
      "FS_FLOW_IMPORT",
      `Flow file '${compiled.source}' threw while loading: ${message.replace(/\.$/, "")}${location}.`,
      { cause: error },
    );
  } finally {
    process.off("exit", exiting);
  }
}

function sameText(file: string, text: string): boolean {
  try {
    return fs.readFileSync(file, "utf8") === text;
  } catch {
    return false;
  }
}
