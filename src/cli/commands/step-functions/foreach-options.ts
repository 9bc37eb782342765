/**
 * The foreach options `create` and `simulate` share (`--distributed-map`, `--max-foreach-width`),
 * and the lines that say how each foreach was compiled and why.
 */
import type { Command } from "commander";
import {
  DISTRIBUTED_MAP_SETTINGS,
  type DistributedMapSetting,
} from "../../../aws/compile/compile-options.js";
import type { ForeachPlan } from "../../../aws/compile/foreach-plan.js";
import { UsageError } from "../../../errors.js";

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
      "auto",
    )
    .option(
      "--max-foreach-width <n>",
      "the widest foreach this deployment must run; wider lists fail their foreach step before any item runs (default: what an inline Map's history holds, 1,000,000 for a Distributed Map)",
    );
}

export function foreachChoices(flags: ForeachFlags): ForeachChoices {
  if (!(DISTRIBUTED_MAP_SETTINGS as readonly string[]).includes(flags.distributedMap)) {
    throw new UsageError(
      `Invalid --distributed-map '${flags.distributedMap}': give ${DISTRIBUTED_MAP_SETTINGS.join(", ")}.`,
    );
  }
  const choices: ForeachChoices = { distributedMap: flags.distributedMap as DistributedMapSetting };
  if (flags.maxForeachWidth !== undefined) {
    const value = Number(flags.maxForeachWidth);
    if (
      flags.maxForeachWidth.trim() === "" ||
      !Number.isSafeInteger(value) ||
      value < 1 ||
      value > 100_000_000
    ) {
      throw new UsageError(
        `Invalid --max-foreach-width '${flags.maxForeachWidth}': give a whole number from 1 to 100000000.`,
      );
    }
    choices.maxForeachWidth = value;
  }
  return choices;
}

/** One line per foreach: `foreach 'fan': Distributed Map, up to 1,000,000 items (why)`. */
export function describeForeaches(plans: readonly ForeachPlan[]): string[] {
  return plans.map(
    (p) =>
      `foreach '${p.step}': ${p.mode === "distributed" ? "Distributed Map" : "inline Map"}, up to ${p.maxWidth.toLocaleString("en-US")} items (${p.reason})`,
  );
}
