/**
 * Parsing for the commands that are not a flow's (`exec` aside): `configure aws`, `event send`,
 * `ui`, `aws stack …`, `aws doctor`. Commander's own errors become one-line usage errors pointing
 * at `--help`. Each takes `--debug`, which makes errors print their stacks.
 */
import type { Command } from "commander";
import { enableDebug } from "../config.js";
import { usageFromCommander } from "./commander-errors.js";

/**
 * Parses `argv` with `commands` (the program and its subcommands); returns false when help was
 * printed, so the caller stops there with exit 0.
 */
export function parseStandalone(commands: readonly Command[], argv: string[], helpCommand: string): boolean {
  for (const command of commands) {
    command.option("--debug", "print stack traces of errors");
    command.exitOverride();
    command.configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {} });
  }
  // Before parsing: a usage error prints its stack too.
  const end = argv.indexOf("--");
  if ((end === -1 ? argv : argv.slice(0, end)).includes("--debug")) enableDebug();
  try {
    commands[0]!.parse(argv, { from: "user" });
    return true;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === "commander.helpDisplayed" || code === "commander.help") return false;
    // An unknown subcommand is the program's: its hint is found among the program's commands.
    const parsing = code === "commander.unknownCommand" ? { parsing: commands[0]! } : {};
    throw usageFromCommander(message ?? "", { help: `Run ${helpCommand} --help.`, ...parsing });
  }
}
