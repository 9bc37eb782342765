/**
 * What every command reads from its flags the same way: the global options, repeatable flags,
 * whole numbers, `--with` decorators and the datastore. Commands import these from here, never
 * from the entry file, so that `cli/` has no import circle.
 *
 * The datastore comes from `--datastore` / `--datastore-root` and the environment. `--datastore s3`
 * without a root takes the S3 root of the AWS settings (`flowship configure aws --s3-root`,
 * FLOWSHIP_AWS_S3_ROOT) when FLOWSHIP_S3_ROOT is not set, so a laptop configured for production
 * needs no second setting to run with Batch steps or read production runs.
 */
import type { Command } from "commander";
import { effectiveSettings } from "../aws/deploy/aws-settings.js";
import { datastoreKind, s3Root } from "../config.js";
import { codeCacheRoot, type DatastoreLocation, resolveDatastore } from "../datastore/open-storage.js";
import { UsageError } from "../errors.js";
import { parseDecoratorSpec, type StepDecorator } from "../flow/decorators.js";

export interface GlobalOptions {
  /** Where runs are stored (local folder or S3). */
  datastore: DatastoreLocation;
  /** The local folder for compiled flows (the datastore's when it is local). */
  datastoreRoot: string;
  with: StepDecorator[];
  debug: boolean;
}

/** The global options as Commander leaves them. */
export interface GlobalFlags extends DatastoreFlags {
  with: string[];
  debug: boolean;
}

export interface DatastoreFlags {
  datastore?: string | undefined;
  datastoreRoot?: string | undefined;
}

/** Options accepted before the command; `--with` and the datastore ones are accepted after `run`/`resume` too. */
export function addGlobalOptions(command: Command): Command {
  return command
    .option("--datastore <kind>", "where runs are stored: local or s3 (env FLOWSHIP_DATASTORE)")
    .option(
      "--datastore-root <root>",
      "folder of the local datastore (env FLOWSHIP_DATASTORE_ROOT), or s3://bucket/prefix (env FLOWSHIP_S3_ROOT)",
    )
    .option(
      "--with <decorator>",
      "add a decorator to every step that has none of its kind, e.g. retry:times=2",
      collect,
      [],
    )
    .option("--debug", "print stack traces of errors", false);
}

/** The global options that take a value (the next word, unless given as `--option=value`). */
const VALUE_OPTIONS = new Set(["--datastore", "--datastore-root", "--with"]);

/** The global options before the command: what comes after belongs to the command. */
export function beforeCommand(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length && argv[i]!.startsWith("-")) i += VALUE_OPTIONS.has(argv[i]!) ? 2 : 1;
  return argv.slice(0, i);
}

export function globalOptions(flags: GlobalFlags): GlobalOptions {
  const datastore = datastoreFromFlags(flags);
  return {
    datastore,
    datastoreRoot: codeCacheRoot(datastore),
    with: flags.with.map(parseDecoratorSpec),
    debug: flags.debug,
  };
}

/** The accumulator of a repeatable flag (`--tag a --tag b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/**
 * The value of a whole-number option, checked: `--name N` with N ≥ `min` (and ≤ `max` when
 * given); `what` names the kind of number in the message.
 */
export function wholeNumberOption(
  flag: string,
  text: string,
  min = 1,
  max?: number,
  what = "a whole number",
): number {
  const value = Number(text);
  if (
    // Number() also reads 0x10, 1e3 and 0b11: a count is written in decimal digits.
    !/^\s*\d+\s*$/.test(text) ||
    !Number.isSafeInteger(value) ||
    value < min ||
    (max !== undefined && value > max)
  ) {
    const range = max === undefined ? `of ${min} or more` : `from ${min} to ${max}`;
    throw new UsageError(`Invalid ${flag} '${text}': give ${what} ${range}.`);
  }
  return value;
}

/** The decorators of the global `--with` followed by those the command's own `--with` adds. */
export function decoratorsFromFlags(
  globals: Pick<GlobalOptions, "with">,
  specs: readonly string[],
): StepDecorator[] {
  return [...globals.with, ...specs.map(parseDecoratorSpec)];
}

export function datastoreFromFlags(flags: DatastoreFlags): DatastoreLocation {
  const wantsS3 = flags.datastore === "s3" || (flags.datastore === undefined && datastoreKind() === "s3");
  const root = flags.datastoreRoot ?? (wantsS3 && !s3Root() ? effectiveSettings().s3Root : undefined);
  return resolveDatastore({
    ...(flags.datastore ? { kind: flags.datastore } : {}),
    ...(root ? { root } : {}),
  });
}
