/** Every command of a flow, registered on its program. */
import type { Command } from "commander";
import type { FlowCommandContext } from "./command-context.js";
import { registerCard } from "./commands/card.js";
import { registerCheck } from "./commands/check.js";
import { registerDump } from "./commands/dump.js";
import { registerLogs } from "./commands/logs.js";
import { registerResume } from "./commands/resume.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerShow } from "./commands/show.js";
import { registerTag } from "./commands/tag.js";

/** The commands that run here, without AWS: `step-functions` is the only one that is not. */
const LOCAL_COMMANDS = new Set(["run", "resume", "check", "show", "runs", "logs", "dump", "tag", "card"]);

/**
 * True when `argv` runs one of the local commands: its first word that is not an option names one,
 * and it asks for no help (which lists every command). Then `step-functions` is left unregistered:
 * its commands import the AWS SDK and the deploy code, ~60 ms of a run's start-up.
 */
function runsLocalCommand(argv: string[]): boolean {
  if (argv.some((arg) => arg === "--help" || arg === "-h" || arg === "help")) return false;
  const command = argv.find((arg) => !arg.startsWith("-"));
  return command !== undefined && LOCAL_COMMANDS.has(command);
}

export async function registerFlowCommands(
  program: Command,
  context: FlowCommandContext,
  argv: string[],
): Promise<void> {
  registerRun(program, context);
  registerResume(program, context);
  registerCheck(program, context);
  registerShow(program, context);
  if (!runsLocalCommand(argv)) {
    const { registerStepFunctions } = await import("./commands/step-functions.js");
    registerStepFunctions(program, context);
  }
  registerRuns(program, context);
  registerLogs(program, context);
  registerDump(program, context);
  registerTag(program, context);
  registerCard(program, context);
}
