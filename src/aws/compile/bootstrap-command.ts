/**
 * The command of every Batch job: `node --input-type=module -e <bootstrap>`, where the bootstrap
 * (aws/batch/bootstrap.ts, minified here) fetches the code package from S3, checks its sha256,
 * extracts it and runs the flowship runtime packaged in it. It needs only `node` on the image's
 * PATH: nothing is installed, and no package registry is asked for anything.
 */
import { createRequire } from "node:module";
import { ownModule } from "../../run/compile-flow.js";

// Compiling a job definition is synchronous; esbuild's buildSync needs its CommonJS entry.
const esbuild = () => createRequire(import.meta.url)("esbuild") as typeof import("esbuild");

let command: string[] | undefined;

/** The job command: the same words on every call (esbuild's output is deterministic). */
export function bootstrapCommand(): string[] {
  if (!command) {
    const result = esbuild().buildSync({
      stdin: {
        contents: `import { runBootstrapCommand } from ${JSON.stringify(ownModule("aws/batch/bootstrap"))};\nrunBootstrapCommand();`,
        resolveDir: "/",
        sourcefile: "bootstrap.js",
        loader: "js",
      },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      minify: true,
      legalComments: "none",
      write: false,
      logLevel: "silent",
    });
    command = ["node", "--input-type=module", "-e", result.outputFiles[0]!.text.trim()];
  }
  return [...command];
}
