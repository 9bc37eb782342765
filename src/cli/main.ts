/**
 * The command line. Two doors lead in: `flowship <flow file> <command>` (bin/flowship.js) and
 * `npx tsx <flow file> <command>` (the flow's own `.run()`); both end in `flowProgram`.
 */
import { Command, CommanderError } from "commander";
import { quietAwsSdkNodeNotice, userCacheRoot } from "../config.js";
import { codeCacheRoot } from "../datastore/open-storage.js";
import { UsageError } from "../errors.js";
import { parseDecoratorSpec } from "../flow/decorators.js";
import { markHost } from "../flow/registry.js";
import type { FlowSpec } from "../flow/types.js";
import { EXIT, reportError } from "../report-error.js";
import { loadFlowFile } from "../runtime/load-flow.js";
import { toleratePipeReadersGoingAway, wasOutputLost } from "../util/closed-pipes.js";
import { FLOWSHIP_VERSION } from "../version.js";
import { usageFromCommander } from "./commander-errors.js";
import { registerFlowCommands } from "./flow-commands.js";
import {
  addGlobalOptions,
  beforeCommand,
  datastoreFromFlags,
  type GlobalFlags,
  globalOptions,
} from "./options.js";

/** Sets up `command` and its subcommands; `entered` hears of each subcommand parsing reaches. */
function configure(command: Command, entered: (command: Command) => void): Command {
  command.exitOverride();
  command.configureOutput({
    writeErr: (text) => {
      // Usage errors are reported by reportError; help and version go to stdout.
      if (!text.startsWith("error:")) process.stdout.write(text);
    },
  });
  command.hook("preSubcommand", (_command, sub) => entered(sub));
  for (const sub of command.commands) configure(sub, entered);
  return command;
}

async function parse(program: Command, argv: string[]): Promise<number> {
  // The command whose options are being parsed: where a "did you mean" looks for the option meant.
  let parsing = program;
  configure(program, (sub) => {
    parsing = sub;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return typeof process.exitCode === "number" ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === "commander.helpDisplayed" ||
        error.code === "commander.version" ||
        error.code === "commander.help"
      ) {
        return EXIT.ok;
      }
      return reportError(
        usageFromCommander(error.message, { parsing, help: "Run with --help to see the options." }),
      );
    }
    return reportError(error, argv.includes("--debug"));
  }
}

/** The commands of one flow, parsed from `argv` (everything after the flow file). */
export async function flowProgram(
  flow: FlowSpec,
  file: string,
  argv: string[],
  preloaded?: Awaited<ReturnType<typeof loadFlowFile>>,
): Promise<number> {
  const program = addGlobalOptions(new Command(`flowship ${file}`))
    .description(`Flow ${flow.name}: run it, check it, show it, and look at its runs.`)
    .version(FLOWSHIP_VERSION, "--version", "print flowship's version")
    .enablePositionalOptions()
    .showHelpAfterError(false);
  const globals = () => globalOptions(program.opts<GlobalFlags>());
  // A bad --with is an error for every command, `check` and `show` included, not only `run`.
  program.hook("preAction", () => {
    for (const spec of program.opts<{ with: string[] }>().with) parseDecoratorSpec(spec);
  });
  await registerFlowCommands(program, { flow, file, globals, preloaded }, argv);
  return parse(program, argv);
}

/** Entry of `.run()`: the flow file is the program. */
export async function runFromFlowFile(flow: FlowSpec, argv: string[]): Promise<void> {
  markHost("cli");
  toleratePipeReadersGoingAway();
  quietAwsSdkNodeNotice();
  const file = flow.location?.file ?? process.argv[1] ?? "flow";
  const code = await flowProgram(flow, file, argv);
  // Output lost to a full disk (closed-pipes.ts) fails a command that would have succeeded.
  process.exitCode = code === 0 && wasOutputLost() ? 1 : code;
}

const TOP_HELP = `Usage: flowship <flow file> <command> [options]

Write a flow of steps in TypeScript, run it locally, ship the same code to AWS Step Functions.

Commands of a flow (see flowship <flow file> --help):
  run        run the flow locally
  resume     run again from a failed step, reusing what succeeded
  check      validate the flow's graph
  show       print the flow's graph (text, mermaid, dot, json)
  runs       list the flow's runs
  logs       print the output of tasks
  dump       print the artifacts of tasks
  tag        add, remove and list tags of runs
  card       print or open the cards a task drew (get, view)
  step-functions  deploy, trigger and manage the flow on AWS Step Functions

Other commands:
  flowship configure aws  write the AWS settings of the step-functions commands
  flowship aws stack deploy --name <name>  create the AWS account's Batch, VPC, bucket and roles (CloudFormation)
  flowship aws doctor  check the configured AWS account before the first deploy
  flowship exec <script>  run a script that uses the Client API, from any folder
  flowship ui [--port 8321]  browse flows, runs, graphs, timelines, logs and artifacts in a browser
  flowship event send <name> [--payload JSON]  start the deployed flows that trigger on this event

Options:
  --version  print flowship's version
  -h, --help print this help
`;

/** Entry of the `flowship` binary. */
export async function main(argv: string[]): Promise<number> {
  markHost("cli");
  toleratePipeReadersGoingAway();
  quietAwsSdkNodeNotice();
  const first = argv[0];
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    process.stdout.write(TOP_HELP);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  if (first === "--version" || first === "-v") {
    process.stdout.write(`${FLOWSHIP_VERSION}\n`);
    return EXIT.ok;
  }
  if (first === "exec") {
    return import("./commands/exec.js").then((m) => m.runExec(argv.slice(1)));
  }
  if (first === "event") {
    return import("./commands/event.js").then((m) => m.runEvent(argv.slice(1))).catch((e) => reportError(e));
  }
  if (first === "ui") {
    return import("./commands/ui.js").then((m) => m.runUi(argv.slice(1))).catch((e) => reportError(e));
  }
  if (first === "aws") {
    return import("./commands/aws.js").then((m) => m.runAws(argv.slice(1))).catch((e) => reportError(e));
  }
  if (first === "configure") {
    return import("./commands/configure.js")
      .then((m) => m.runConfigure(argv.slice(1)))
      .catch((e) => reportError(e));
  }
  if (first.startsWith("-")) {
    return reportError(
      new UsageError(`Expected a flow file before '${first}': flowship <flow file> <command> [options].`),
    );
  }
  try {
    // Global options may come before the command; the datastore root decides where code is compiled.
    const globalArgs = beforeCommand(argv.slice(1));
    const pre = addGlobalOptions(new Command()).allowUnknownOption().allowExcessArguments().helpOption(false);
    pre.exitOverride();
    pre.parse(globalArgs, { from: "user" });
    const preOptions = pre.opts<{ datastore?: string; datastoreRoot?: string }>();
    // Only `run` and `resume` execute this compiled code against the datastore; for every other
    // command it is a cache, kept out of the current folder.
    const command = argv[1 + globalArgs.length];
    const root =
      command === "run" || command === "resume"
        ? codeCacheRoot(datastoreFromFlags(preOptions))
        : userCacheRoot();
    const loaded = await loadFlowFile(first, root);
    return await flowProgram(loaded.flow, first, argv.slice(1), loaded);
  } catch (error) {
    return reportError(error, argv.includes("--debug"));
  }
}
