// Parameters never collide silently with the options of the commands that take them: every option
// of run, resume, step-functions simulate and trigger (read from their --help) is a reserved
// parameter name.
import assert from "node:assert/strict";
import { test } from "node:test";
import { isReservedParameterName } from "../../src/graph/lint/names.js";
import { runCli } from "../helpers/cli.js";

// A flow without parameters, so every option --help lists is the command's own.
const FLOW = "examples/hourly_flow.ts";

test("every option of a command that takes parameters is a reserved parameter name", async () => {
  const commands = [["run"], ["resume"], ["step-functions", "simulate"], ["step-functions", "trigger"]];
  const options = new Set<string>();
  for (const command of commands) {
    const help = await runCli([FLOW, ...command, "--help"]);
    assert.equal(help.code, 0, help.stderr);
    for (const m of help.stdout.matchAll(/^\s+(?:-\w, )?--([a-z0-9-]+)/gm)) options.add(m[1]!);
  }
  const top = await runCli(["--help"]);
  for (const m of top.stdout.matchAll(/^\s+(?:-\w, )?--([a-z0-9-]+)/gm)) options.add(m[1]!);
  assert.ok(options.has("max-workers") && options.has("sandbox"), [...options].join(", "));
  // `name` stays allowed: too common a parameter; only trigger's --name (the state machine) takes it.
  assert.deepEqual(
    [...options].filter((o) => !isReservedParameterName(o) && o !== "name"),
    [],
    "options a parameter could shadow: add them to RESERVED_PARAMETER_NAMES",
  );
});
