#!/usr/bin/env node
// The `flowship` command. Compiled code lives in dist/ (built by `npm install` via `prepare`).
import module from "node:module";

// Node 22.1 and later can keep V8's compiled code of flowship's modules on disk between runs
// (in NODE_COMPILE_CACHE, else the system's temporary folder), which shortens every start;
// Node 20 has no such cache and skips this. Enabled before flowship's modules are loaded:
// they are imported below, not statically, for that reason.
module.enableCompileCache?.();
const argv = process.argv.slice(2);
// A local run's first task host starts now, its Node start overlapping the CLI's own
// (dist/runtime/early-host.js; nothing for any other command line).
const { startEarlyHost } = await import("../dist/runtime/early-host.js");
startEarlyHost(argv);
const { main } = await import("../dist/cli/main.js");
const { exitWhenFlushed } = await import("../dist/util/exit-when-flushed.js");

// The flow file is imported to read its definition: a timer it starts at module level must not
// keep the command running once its work is done.
exitWhenFlushed(await main(argv), { lostOutputFails: true });
