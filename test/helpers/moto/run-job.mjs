// Runs one Batch job's command in the sandbox `step-functions simulate` uses (the same code, from
// dist/: run `npm run build` first), for batch_sandbox.py. Reads {command, env} as JSON on stdin,
// writes the job's output, and exits with the job's exit code. Bubblewrap is required: where it
// cannot run, the job fails (exit 2) rather than run unsandboxed.
import { readFileSync } from "node:fs";
import {
  IMAGE_PATH,
  resolveSandbox,
  runContainerCommand,
} from "../../../dist/aws/simulate/container-sandbox.js";

// A registry address nothing listens on (as in simulate): a job that asks npm for anything fails.
const CLOSED_REGISTRY = "http://127.0.0.1:4/";

const spec = JSON.parse(readFileSync(0, "utf8"));
let code;
try {
  code = await runContainerCommand(resolveSandbox("bubblewrap"), {
    command: spec.command,
    // The image's PATH, then what Batch gives the container.
    env: { PATH: IMAGE_PATH, ...spec.env, npm_config_registry: CLOSED_REGISTRY },
    print: (line, stream) => (stream === "stdout" ? process.stdout : process.stderr).write(`${line}\n`),
  });
} catch (error) {
  console.error(`flowship test: ${error.message}`);
  code = error.exitCode ?? 1;
}
process.exitCode = code;
