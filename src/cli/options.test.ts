/**
 * The shared flag plumbing of cli/: whole numbers as every command checks them, and Commander's
 * errors as one-line usage errors for a flow's commands and the standalone ones alike.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Command } from "commander";
import { usageFromCommander } from "./commander-errors.js";
import { wholeNumberOption } from "./options.js";

test("wholeNumberOption: the value, or a message naming the flag, the text and the range", () => {
  assert.equal(wholeNumberOption("--max-workers", "0", 0), 0);
  assert.equal(wholeNumberOption("--max-foreach-width", "100000000", 1, 100_000_000), 100_000_000);
  assert.throws(() => wholeNumberOption("--max-workers", "x", 0), {
    message: "Invalid --max-workers 'x': give a whole number of 0 or more.",
  });
  assert.throws(() => wholeNumberOption("--max-foreach-width", "100000001", 1, 100_000_000), {
    message: "Invalid --max-foreach-width '100000001': give a whole number from 1 to 100000000.",
  });
  assert.throws(() => wholeNumberOption("--version", "1.5", 1, undefined, "a version number"), {
    message: "Invalid --version '1.5': give a version number of 1 or more.",
  });
  assert.throws(() => wholeNumberOption("--keep-versions", " ", 1), /Invalid --keep-versions ' '/);
  for (const text of ["0x10", "1e3", "0b11", "+5"]) {
    assert.throws(() => wholeNumberOption("--max-concurrent", text), /Invalid --max-concurrent '/, text);
  }
});

test("usageFromCommander: a flow command's message keeps one line and suggests the option meant", () => {
  const run = new Command("run").option("--max-workers <n>");
  const resume = new Command("resume").option("--max-workers <n>");
  const help = "Run with --help to see the options.";
  assert.equal(
    usageFromCommander("error: unknown option '--max_workers'\n(Did you mean --max-workers?)", {
      parsing: run,
      help,
    }).message,
    "Unknown option '--max_workers' (did you mean --max-workers?). Run with --help to see the options.",
  );
  // Metaflow's spelling of an option flowship names otherwise
  const wide = new Command("run").option("--max-foreach-width <n>").option("--max-workers <n>");
  assert.equal(
    usageFromCommander("error: unknown option '--max-num-splits'", { parsing: wide, help }).message,
    "Unknown option '--max-num-splits' (did you mean --max-foreach-width?). Run with --help to see the options.",
  );
  // Metaflow's tag and dump flags, taken another way here
  const tag = new Command("tag");
  const add = tag.command("add").argument("<run>").argument("<tags...>");
  assert.equal(
    usageFromCommander("error: unknown option '--run-id'", { parsing: add, help }).message,
    "Unknown option '--run-id' (the run id is the first argument: tag add <run> <tags...>). Run with --help to see the options.",
  );
  const dump = new Command("dump").option("--include <names>");
  assert.equal(
    usageFromCommander("error: unknown option '--private'", { parsing: dump, help }).message,
    "Unknown option '--private' (flowship stores no private artifacts: dump shows every one). Run with --help to see the options.",
  );
  assert.match(
    usageFromCommander("error: unknown option '--alpha'", { parsing: resume, help }).message,
    /^Unknown option '--alpha' \(resume keeps the origin run's parameters; .*\)\. Run with --help/,
  );
});

test("usageFromCommander: a flow's misspelt command gets the command meant, or no hint when none is near", () => {
  const flowProgram = new Command("flowship");
  for (const name of ["run", "resume", "check", "show", "step-functions", "runs"]) flowProgram.command(name);
  const help = "Run with --help to see the options.";
  const message = (typed: string) =>
    usageFromCommander(`error: unknown command '${typed}'\n(Did you mean run?)`, {
      parsing: flowProgram,
      help,
    }).message;
  assert.equal(
    message("rn"),
    "Unknown command 'rn' (did you mean run?). Run with --help to see the options.",
  );
  assert.equal(
    message("chek"),
    "Unknown command 'chek' (did you mean check?). Run with --help to see the options.",
  );
  assert.equal(
    message("step-function"),
    "Unknown command 'step-function' (did you mean step-functions?). Run with --help to see the options.",
  );
  assert.equal(message("publish"), "Unknown command 'publish'. Run with --help to see the options.");
  // another tool's word for a command, which no spelling distance finds
  assert.equal(
    message("deploy"),
    "Unknown command 'deploy' (did you mean step-functions create?). Run with --help to see the options.",
  );
});

test("usageFromCommander: a standalone command's message joins Commander's lines, one period", () => {
  assert.equal(
    usageFromCommander("error: unknown command 'sned'\n(Did you mean send?)", {
      help: "Run flowship event send --help.",
    }).message,
    "Unknown command 'sned' (Did you mean send?). Run flowship event send --help.",
  );
  assert.equal(
    usageFromCommander("error: missing required argument 'name'.", { help: "Run flowship ui --help." })
      .message,
    "Missing required argument 'name'. Run flowship ui --help.",
  );
});
