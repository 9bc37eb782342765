// Bundles the task host's program (task/task-host-main) from dist/ into dist/task-host.cjs, with
// the same builder a run uses from the sources (src/runtime/task-host-program.ts). Runs from dist/
// then start hosts on it without a build-cache check, and the CLI can start a run's first host
// before it has read the flow (src/runtime/early-host.ts).
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const { bundleTaskHost } = await import(path.join(root, "dist/runtime/task-host-program.js"));
const { text } = (await bundleTaskHost()) as { text: string };
const file = path.join(root, "dist/task-host.cjs");
fs.writeFileSync(`${file}.tmp`, text);
fs.renameSync(`${file}.tmp`, file);
