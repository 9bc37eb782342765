/**
 * The task host's program: task/task-host-main.ts (node built-ins only) bundled into one file, so a
 * host starts with plain `node` whether flowship runs from dist/ or from its sources. `npm run build`
 * writes it beside dist/ (task-host-spawn.ts `builtTaskHost`); from the sources it is compiled here
 * on first use, into the run's code folder.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cachedBuild, recordBuild } from "../run/build-cache.js";
import { NODE_BUNDLE, ownModule } from "../run/compile-flow.js";
import { writeFileAtomic } from "../util/atomic-file.js";
import { sha256 } from "../util/hash.js";

const ENTRY_NAME = "task-host-entry.js";

/** The bundle's text and the files it was built from. */
export async function bundleTaskHost(): Promise<{ text: string; read: string[] }> {
  const main = ownModule("task/task-host-main");
  const esbuild = await import("esbuild");
  const result = await esbuild.build({
    stdin: {
      contents: `import { runTaskHost } from ${JSON.stringify(main)};\nrunTaskHost();\n`,
      resolveDir: path.dirname(main),
      sourcefile: ENTRY_NAME,
      loader: "js",
    },
    ...NODE_BUNDLE,
    // CommonJS: Node starts it ~5–15 ms sooner than an ES module (no module loader to set up), in
    // the host process and again in each of its threads, which run the same file.
    format: "cjs",
    define: { "import.meta.url": "__flowshipHostUrl" },
    banner: { js: 'const __flowshipHostUrl = require("node:url").pathToFileURL(__filename).href;' },
    metafile: true,
  });
  // The entry (on stdin) is this function's text: the build cache's key covers it (hostBuildKey).
  const entry = path.join(path.dirname(main), ENTRY_NAME);
  const read = Object.keys(result.metafile.inputs)
    .map((p) => path.resolve(p))
    .filter((p) => p !== entry);
  return { text: result.outputFiles[0]!.text, read };
}

let hostBuild: string | undefined;
/**
 * The host's build, as the build cache (run/build-cache.ts) knows it. This file's code is how the
 * host is built, and the cache's compiler identity covers only run/'s builder: its hash is in the key.
 */
function hostBuildKey(): string {
  hostBuild ??= JSON.stringify([
    "task-host",
    ownModule("task/task-host-main"),
    sha256(fs.readFileSync(fileURLToPath(import.meta.url))),
  ]);
  return hostBuild;
}

/**
 * Bundles the host program into `outDir`, once per content. Not built again while the build cache
 * (run/build-cache.ts) finds its sources as they were.
 */
export async function compileTaskHost(outDir: string): Promise<string> {
  const cached = cachedBuild(outDir, hostBuildKey());
  if (cached) return cached.bundle;
  const startedAt = Date.now();
  const { text, read } = await bundleTaskHost();
  const hash = sha256(text);
  const file = path.join(outDir, `task-host-${hash.slice(0, 16)}.cjs`);
  if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== text) {
    fs.mkdirSync(outDir, { recursive: true });
    writeFileAtomic(file, [text]);
  }
  recordBuild(outDir, hostBuildKey(), {
    bundle: file,
    map: false,
    codeHash: hash,
    bundleHash: hash,
    startedAt,
    inputs: [],
    read,
  });
  return file;
}
