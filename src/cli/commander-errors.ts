/**
 * Commander reports usage problems by throwing; this turns them into one-line usage errors, for a
 * flow's commands (cli/main.ts) and for the standalone ones (cli/standalone-command.ts) alike.
 */
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { closestName } from "../util/did-you-mean.js";

/** An option name as people misspell it: `--sleep-ms`, `--sleep_ms` and `--SleepMs` are all `sleepms`. */
const looseName = (flag: string) =>
  flag.replace(/^-+/, "").replace(/=.*$/, "").replace(/[-_]/g, "").toLowerCase();

/** Metaflow's options that flowship spells otherwise, as `looseName` gives them: a ported command line. */
const METAFLOW_SPELLINGS = new Map([["maxnumsplits", "--max-foreach-width"]]);

/**
 * The option of `command` that an unknown `flag` most likely meant: Metaflow's name for it, or one
 * spelt the same but for case, `-` and `_` (flow parameters keep the name's case: `sleepMs` is
 * `--sleepMs`), else the closest in spelling.
 */
export function suggestOption(flag: string, command: Command): string | undefined {
  const longs = command.options.map((o) => o.long).filter((l): l is string => l !== undefined);
  const loose = looseName(flag);
  const metaflow = METAFLOW_SPELLINGS.get(loose);
  if (metaflow !== undefined && longs.includes(metaflow)) return metaflow;
  const same = longs.find((long) => looseName(long) === loose);
  if (same !== undefined) return same;
  const byLoose = new Map(longs.map((long) => [looseName(long), long]));
  const closest = closestName(loose, byLoose.keys());
  return closest === undefined ? undefined : byLoose.get(closest);
}

/**
 * Commands people call by another tool's word, which no spelling distance finds, as the command
 * lines that do it (the first whose first word `parsing` has is suggested): `step-functions
 * deploy` is `create`, `aws stack create` is `deploy`, and a flow's `deploy` is `step-functions
 * create`.
 */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  deploy: ["create", "step-functions create"],
  create: ["deploy", "step-functions create"],
};

/** The subcommand of `parsing` an unknown `command` most likely meant. */
function suggestCommand(command: string, parsing: Command): string | undefined {
  const names = parsing.commands.map((c) => c.name());
  const synonyms = Object.hasOwn(SYNONYMS, command) ? SYNONYMS[command]! : [];
  return closestName(command, names) ?? synonyms.find((line) => names.includes(line.split(" ")[0]!));
}

/**
 * What a Metaflow command line's flag is here, where flowship takes it another way: `tag add
 * --run-id R t1` is `tag add R t1`, and `dump --private` has nothing to show.
 */
function metaflowFlagHint(flag: string, command: Command): string | undefined {
  const name = command.name();
  const usage = command.usage().replace("[options] ", "");
  if (command.parent?.name() === "tag" && flag === "--run-id")
    return `the run id is the first argument: tag ${name} ${usage}`;
  if (command.parent?.name() === "tag" && name === "replace" && (flag === "--add" || flag === "--remove"))
    return `write tag replace ${usage}`;
  if (name === "dump" && flag === "--private")
    return "flowship stores no private artifacts: dump shows every one";
  return undefined;
}

export interface CommanderErrorContext {
  /**
   * The command whose options were being parsed. Given, only the first line of Commander's
   * message is kept and an unknown option gets this module's own "did you mean"; left out,
   * Commander's further lines (its own suggestion) are joined onto the first.
   */
  parsing?: Command;
  /** The sentence that ends the message, e.g. "Run with --help to see the options." */
  help: string;
}

/** One line, one period, capitalised, then the `help` sentence. */
export function usageFromCommander(message: string, context: CommanderErrorContext): UsageError {
  let text = message.replace(/^error: /, "");
  const { parsing } = context;
  if (parsing === undefined) text = text.replace(/\s*\n\s*/g, " ");
  else {
    text = text.replace(/\n[\s\S]*$/, "");
    const flag = /^unknown option '([^']+)'/.exec(text)?.[1];
    const suggestion = flag === undefined ? undefined : suggestOption(flag, parsing);
    // An unknown command gets the same hint (Commander's own is on the line dropped above).
    const command = /^unknown command '([^']+)'/.exec(text)?.[1];
    const nearCommand = command === undefined ? undefined : suggestCommand(command, parsing);
    const metaflowFlag = flag === undefined ? undefined : metaflowFlagHint(flag, parsing);
    if (metaflowFlag !== undefined) text = `${text} (${metaflowFlag})`;
    else if (suggestion !== undefined) text = `${text} (did you mean ${suggestion}?)`;
    else if (nearCommand !== undefined) text = `${text} (did you mean ${nearCommand}?)`;
    // A parameter flag given to resume: the resumed run keeps the origin's parameters.
    else if (flag !== undefined && parsing.name() === "resume")
      text = `${text} (resume keeps the origin run's parameters; to change one, start a new run with \`run\`)`;
  }
  text = text.trim().replace(/\.+$/, "");
  return new UsageError(`${text.charAt(0).toUpperCase()}${text.slice(1)}. ${context.help}`);
}
