/** Every command of a flow, registered on its program. */
import type { Command } from "commander";
import type { FlowCommandContext } from "./command-context.js";
import { beforeCommand } from "./options.js";

type Register = (program: Command, context: FlowCommandContext) => void;

/**
 * The commands that run here, without AWS (`step-functions` is the only one that is not), in the
 * order help lists them, each loaded only when registered.
 */
const LOCAL_COMMANDS: Record<string, () => Promise<Register>> = {
  run: async () => (await import("./commands/run.js")).registerRun,
  resume: async () => (await import("./commands/resume.js")).registerResume,
  check: async () => (await import("./commands/check.js")).registerCheck,
  show: async () => (await import("./commands/show.js")).registerShow,
  runs: async () => (await import("./commands/runs.js")).registerRuns,
  logs: async () => (await import("./commands/logs.js")).registerLogs,
  dump: async () => (await import("./commands/dump.js")).registerDump,
  tag: async () => (await import("./commands/tag.js")).registerTag,
  card: async () => (await import("./commands/card.js")).registerCard,
};

/** Where help lists `step-functions`: after `show`. */
const STEP_FUNCTIONS_AFTER = "show";

/**
 * The local command `argv` runs: its first word after the global options, when that names one and
 * no help is asked for (help lists every command). Then only that command is registered: the
 * others' modules (the card renderer, the Client API…) and `step-functions` (the AWS SDK and the
 * deploy code, ~60 ms) are not loaded, which a run's start-up would otherwise pay for.
 */
function localCommand(argv: string[]): string | undefined {
  if (argv.some((arg) => arg === "--help" || arg === "-h" || arg === "help")) return undefined;
  const command = argv[beforeCommand(argv).length];
  return command !== undefined && Object.hasOwn(LOCAL_COMMANDS, command) ? command : undefined;
}

export async function registerFlowCommands(
  program: Command,
  context: FlowCommandContext,
  argv: string[],
): Promise<void> {
  const only = localCommand(argv);
  if (only !== undefined) {
    (await LOCAL_COMMANDS[only]!())(program, context);
    return;
  }
  const names = Object.keys(LOCAL_COMMANDS);
  const [registers, { registerStepFunctions }] = await Promise.all([
    Promise.all(names.map((name) => LOCAL_COMMANDS[name]!())),
    import("./commands/step-functions.js"),
  ]);
  names.forEach((name, i) => {
    registers[i]!(program, context);
    if (name === STEP_FUNCTIONS_AFTER) registerStepFunctions(program, context);
  });
}
