/**
 * The flowship runtime a Batch container runs, bundled into one ES module that travels in the
 * code package beside the flow (`batch-task.mjs`): the entrypoint of aws/batch/batch-task.ts with
 * everything it imports, the S3 datastore and its AWS SDK client included. The container therefore
 * runs the deployer's flowship, byte for byte, and installs nothing.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { INLINE_VERSION_PLUGIN, NODE_REQUIRE_BANNER, ownModule } from "../../run/compile-flow.js";
import { PACKAGE_ENTRY } from "./package-layout.js";

/** Bundled once per process: it depends only on flowship's own code. */
let built: Promise<Buffer> | undefined;

/** flowship's package root, so that esbuild's path comments do not depend on where it is installed. */
const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The bytes of `batch-task.mjs`. */
export function buildRuntimeBundle(): Promise<Buffer> {
  built ??= (async () => {
    const esbuild = await import("esbuild");
    const entry = [
      `import { runPackagedTask } from ${JSON.stringify(ownModule("aws/batch/batch-task"))};`,
      `await runPackagedTask(new URL(${JSON.stringify(`./${PACKAGE_ENTRY}`)}, import.meta.url));`,
    ].join("\n");
    const result = await esbuild.build({
      stdin: { contents: entry, resolveDir: PACKAGE_ROOT, sourcefile: "batch-task-entry.js", loader: "js" },
      absWorkingDir: PACKAGE_ROOT,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      // Whitespace only: names stay readable in the stack of a flowship error in a container.
      minifyWhitespace: true,
      legalComments: "none",
      logLevel: "silent",
      banner: { js: NODE_REQUIRE_BANNER },
      plugins: [INLINE_VERSION_PLUGIN],
    });
    return Buffer.from(result.outputFiles[0]!.contents);
  })();
  return built;
}
