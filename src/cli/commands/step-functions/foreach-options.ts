/**
 * The foreach options `create` and `simulate` share (`--distributed-map`, `--max-foreach-width`),
 * checked once with their `--max-workers` into compile options (foreachCompileOptions), and the
 * lines that say how each foreach was compiled and why.
 */
import type { Command } from "commander";
import {
  DEFAULT_DISTRIBUTED_MAP,
  DISTRIBUTED_MAP_SETTINGS,
  type DistributedMapSetting,
  type StepFunctionsCompileOptions,
} from "../../../aws/compile/compile-options.js";
import { type ForeachPlan, INLINE_MAP_MAX_CONCURRENCY } from "../../../aws/compile/foreach-plan.js";
import { UsageError } from "../../../errors.js";
import type { FlowSpec } from "../../../flow/types.js";
import { wholeNumberOption } from "../../options.js";

export interface ForeachFlags {
  distributedMap: string;
  maxForeachWidth?: string;
}

export interface ForeachChoices {
  distributedMap: DistributedMapSetting;
  maxForeachWidth?: number;
}

export function addForeachOptions(command: Command): Command {
  return command
    .option(
      "--distributed-map <when>",
      "run foreaches as Distributed Maps (each item a child execution with its own history, up to 10,000 at once): always, never, or auto (when --max-workers is over 40 or --max-foreach-width items would not fit an inline Map)",
      DEFAULT_DISTRIBUTED_MAP,
    )
    .option(
      "--max-foreach-width <n>",
      "the widest foreach this deployment must run; wider lists fail their foreach step before any item runs (default: what an inline Map's history holds, 1,000,000 for a Distributed Map)",
    );
}

function foreachChoices(flags: ForeachFlags): ForeachChoices {
  if (!(DISTRIBUTED_MAP_SETTINGS as readonly string[]).includes(flags.distributedMap)) {
    throw new UsageError(
      `Invalid --distributed-map '${flags.distributedMap}': give ${DISTRIBUTED_MAP_SETTINGS.join(", ")}.`,
    );
  }
  const choices: ForeachChoices = { distributedMap: flags.distributedMap as DistributedMapSetting };
  if (flags.maxForeachWidth !== undefined) {
    choices.maxForeachWidth = wholeNumberOption("--max-foreach-width", flags.maxForeachWidth, 1, 100_000_000);
  }
  return choices;
}

/** The flags behind the foreach compile options: these, and the command's `--max-workers`. */
export interface CompileFlags extends ForeachFlags {
  maxWorkers: string;
}

/**
 * The compile options of a command's foreach flags, checked: `--distributed-map`,
 * `--max-foreach-width`, then `--max-workers` (0 or more; see maxWorkersForForeaches).
 */
export function foreachCompileOptions(
  flags: CompileFlags,
  command: Command,
  flow: FlowSpec,
): Pick<StepFunctionsCompileOptions, "maxWorkers" | "distributedMap" | "maxForeachWidth"> & {
  maxWorkers: number;
} {
  const choices = foreachChoices(flags);
  const maxWorkers = maxWorkersForForeaches({
    maxWorkers: wholeNumberOption("--max-workers", flags.maxWorkers, 0),
    choices,
    command,
    hasForeach: flow.steps.some((s) => s.foreach !== undefined),
  });
  return { maxWorkers, ...choices };
}

/** One line per foreach: `foreach 'fan': Distributed Map, up to 1,000,000 items (why)`. */
export function describeForeaches(plans: readonly ForeachPlan[]): string[] {
  return plans.map(
    (p) =>
      `foreach '${p.step}': ${p.mode === "distributed" ? "Distributed Map" : "inline Map"}, up to ${p.maxWidth.toLocaleString("en-US")} items (${p.reason})`,
  );
}

/**
 * `--max-workers` for the foreach choice: with `--distributed-map never`, every foreach is an
 * inline Map, which runs at most 40 iterations at once. When `--max-workers` was left at its
 * default (100), it becomes 40 with a note, instead of an error about a flag nobody gave; a value
 * given on the command line is kept, and refused by the compiler if an inline Map cannot take it.
 */
function maxWorkersForForeaches(options: {
  maxWorkers: number;
  choices: ForeachChoices;
  command: Command;
  hasForeach: boolean;
}): number {
  const { maxWorkers, choices, command } = options;
  const fits = maxWorkers > 0 && maxWorkers <= INLINE_MAP_MAX_CONCURRENCY;
  if (choices.distributedMap !== "never" || fits || command.getOptionValueSource("maxWorkers") !== "default")
    return maxWorkers;
  if (options.hasForeach) {
    process.stderr.write(
      `note: --distributed-map never makes every foreach an inline Map, which runs at most ${INLINE_MAP_MAX_CONCURRENCY} iterations at once: --max-workers ${INLINE_MAP_MAX_CONCURRENCY} instead of the default ${maxWorkers}.\n`,
    );
  }
  return INLINE_MAP_MAX_CONCURRENCY;
}
