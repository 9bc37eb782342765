/**
 * Parsing for the commands that are not a flow's (`exec` aside): `configure aws`, `event send`,
 * `ui`. Commander's own errors become one-line usage errors pointing at `--help`.
 */
import type { Command } from "commander";
import { UsageError } from "../errors.js";

/**
 * Parses `argv` with `commands` (the program and its subcommands); returns false when help was
 * printed, so the caller stops there with exit 0.
 */
export function parseStandalone(commands: readonly Command[], argv: string[], helpCommand: string): boolean {
  for (const command of commands) {
    command.exitOverride();
    command.configureOutput({ writeOut: (text) => process.stdout.write(text), writeErr: () => {} });
  }
  try {
    commands[0]!.parse(argv, { from: "user" });
    return true;
  } catch (error) {
    const { code, message } = error as { code?: string; message?: string };
    if (code === "commander.helpDisplayed" || code === "commander.help") return false;
    const text = (message ?? "").replace(/^error: /, "");
    throw new UsageError(`${text.charAt(0).toUpperCase()}${text.slice(1)}. Run ${helpCommand} --help.`);
  }
}
