#!/usr/bin/env node
// The `flowship` command. Compiled code lives in dist/ (built by `npm install` via `prepare`).
import { main } from "../dist/cli/main.js";
import { exitWhenFlushed } from "../dist/util/exit-when-flushed.js";

// The flow file is imported to read its definition: a timer it starts at module level must not
// keep the command running once its work is done.
exitWhenFlushed(await main(process.argv.slice(2)));
