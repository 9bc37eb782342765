import fs from "node:fs";
import path from "node:path";
import { type Command, Option } from "commander";
import { loopIterationsThatFit } from "../aws/compile/loop-bounds.js";
import { currentUser, defaultIsolation, defaultMaxWorkers } from "../config.js";
import { codeCacheRoot } from "../datastore/open-storage.js";
import { UsageError } from "../errors.js";
import { resolveBranch } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";
import { validateFlow } from "../graph/validate.js";
import { EXIT } from "../report-error.js";
import { compileFlow } from "../run/compile-flow.js";
import type { RunOptions } from "../run/run-options.js";
import { codeDir } from "../runtime/load-flow.js";
import { LocalRun } from "../runtime/local-run.js";
import { ISOLATIONS, type Isolation } from "../task/task-attempt.js";
import { checkThreadSettings } from "../task/task-thread.js";
import { addBranchOptions, branchChoice } from "./branch-options.js";
import type { FlowCommandContext } from "./command-context.js";
import {
  collect,
  datastoreFromFlags,
  decoratorsFromFlags,
  type GlobalOptions,
  wholeNumberOption,
} from "./options.js";

export interface CommonRunFlags {
  maxWorkers: string;
  maxForeachWidth?: string;
  maxLoopIterations?: string;
  isolation: string;
  tag: string[];
  runIdFile?: string;
  with: string[];
  datastore?: string;
  datastoreRoot?: string;
  /** Project flows: `--branch` / `--production`. */
  branch?: string;
  production?: boolean;
}

/** The globals, with a datastore given after `run`/`resume` taking precedence over one given before. */
export function runGlobals(
  context: FlowCommandContext,
  flags: Pick<CommonRunFlags, "datastore" | "datastoreRoot">,
): GlobalOptions {
  const globals = context.globals();
  if (!flags.datastore && !flags.datastoreRoot) return globals;
  const datastore = datastoreFromFlags(flags);
  return { ...globals, datastore, datastoreRoot: codeCacheRoot(datastore) };
}

/** Options shared by `run` and `resume` (and, for a flow with a project, its branch flags). */
export function addRunOptions(command: Command, flow: FlowSpec): Command {
  return addBranchOptions(command, flow)
    .addOption(new Option("--max-workers <n>", "most tasks running at once").default(defaultMaxWorkers()))
    .option(
      "--max-foreach-width <n>",
      "most items one foreach may have; a longer list fails its foreach step before any item runs (default 1,000,000)",
    )
    .option(
      "--max-loop-iterations <n>",
      "most iterations a loop may run each time it is entered; one more fails the run (default: as many as fit in one Step Functions execution, what step-functions create prints; 10,000 for a flow it cannot compile)",
    )
    .addOption(
      new Option(
        "--isolation <kind>",
        "what keeps tasks apart: host (a fresh worker thread each, in a reusable process that runs one at a time), process (an OS process each) or thread (a worker thread each, inside the runtime); see docs/runtime.md",
      ).default(defaultIsolation()),
    )
    .option("--tag <tag>", "tag the run (repeatable)", collect, [])
    .option("--run-id-file <file>", "write the run id to this file as soon as the run starts")
    .option(
      "--with <decorator>",
      "add a decorator to every step that has none of its kind, e.g. retry:times=2, or batch:cpu=4,memory=16384 to run every step on AWS Batch",
      collect,
      [],
    )
    .option("--datastore <kind>", "where the run is stored: local or s3 (also accepted before the command)")
    .option(
      "--datastore-root <root>",
      "local folder, or s3://bucket/prefix (also accepted before the command)",
    );
}

/**
 * Checks `--run-id-file` before anything starts: once a run has started, a file that cannot be
 * written would leave a run nobody knows the id of.
 */
export function checkRunIdFile(file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const folder = path.dirname(path.resolve(file));
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) {
    throw new UsageError(`Invalid --run-id-file '${file}': its folder '${folder}' does not exist.`);
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new UsageError(`Invalid --run-id-file '${file}': it is a folder; give the path of a file.`);
  }
  return file;
}

function maxWorkers(text: string): number {
  // The same check as wholeNumberOption's; the value may be FLOWSHIP_MAX_WORKERS's, so it says so.
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(Number(text)) || Number(text) < 1) {
    throw new UsageError(
      `Invalid --max-workers '${text}': give a whole number of 1 or more (FLOWSHIP_MAX_WORKERS sets the default).`,
    );
  }
  return Number(text);
}

function isolation(text: string): Isolation {
  if (!(ISOLATIONS as readonly string[]).includes(text)) {
    throw new UsageError(
      `Invalid --isolation '${text}': give ${ISOLATIONS.join(", ")} (FLOWSHIP_ISOLATION sets the default).`,
    );
  }
  if (text === "thread") checkThreadSettings();
  return text as Isolation;
}

function checkTags(tags: string[]): string[] {
  for (const tag of tags) {
    if (tag.trim() === "" || tag.length > 500 || tag.includes("\n")) {
      throw new UsageError(`Invalid tag ${JSON.stringify(tag)}: a tag is 1 to 500 characters on one line.`);
    }
  }
  return tags;
}

/**
 * A failure's first line, and "…" when its message went on: the run's last line stays one line
 * (the whole message was printed with the failing task's output above it).
 */
function onOneLine(failure: string | undefined): string {
  const lines = (failure ?? "").split("\n").filter((line) => line.trim() !== "");
  return lines.length > 1 ? `${lines[0]!.trimEnd()} …` : (lines[0] ?? "");
}

/** Validates, compiles (unless the CLI already did) and runs; returns the exit code. */
export async function startRun(
  context: FlowCommandContext,
  flags: CommonRunFlags,
  extra: Pick<RunOptions, "parameterText"> &
    Partial<Pick<RunOptions, "resume" | "parameterSources" | "scheduledTime">>,
): Promise<number> {
  const runIdFile = checkRunIdFile(flags.runIdFile);
  const project = resolveBranch(context.flow, branchChoice(context.flow, flags), currentUser());
  const globals = runGlobals(context, flags);
  const graph = validateFlow(context.flow);
  const withDecorators = decoratorsFromFlags(globals, flags.with);
  const maxLoopIterations =
    flags.maxLoopIterations === undefined
      ? undefined
      : wholeNumberOption("--max-loop-iterations", flags.maxLoopIterations);
  const fit =
    maxLoopIterations === undefined ? await loopIterationsThatFit(graph, withDecorators) : undefined;
  const compiled =
    // The CLI's own compile leaves the S3 backend out; runs on S3 need it in their tasks.
    (globals.datastore.kind === "local" ? context.preloaded?.compiled : undefined) ??
    (await compileFlow({
      file: context.file,
      outDir: codeDir(globals.datastoreRoot),
      withS3: globals.datastore.kind === "s3",
    }));
  const run = new LocalRun(
    {
      flow: context.flow,
      compiled,
      datastore: globals.datastore,
      maxWorkers: maxWorkers(flags.maxWorkers),
      ...(flags.maxForeachWidth === undefined
        ? {}
        : { maxForeachWidth: wholeNumberOption("--max-foreach-width", flags.maxForeachWidth) }),
      ...(maxLoopIterations === undefined ? {} : { maxLoopIterations }),
      ...(fit ? { loopIterationsThatFit: fit } : {}),
      isolation: isolation(flags.isolation),
      tags: checkTags(flags.tag),
      ...(project ? { project } : {}),
      withDecorators,
      batch: async () => (await import("../aws/run-with-batch/batch-launcher.js")).createBatchLauncher,
      ...(runIdFile ? { runIdFile } : {}),
      ...extra,
    },
    graph,
  );
  const result = await run.execute();
  if (result.status === "failed") {
    process.stderr.write(`error: Run ${result.flow}/${result.runId} failed: ${onOneLine(result.failure)}\n`);
    return result.interrupted ? EXIT.interrupted : EXIT.failure;
  }
  return 0;
}
