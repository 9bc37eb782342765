import { inspect } from "node:util";
import type { Command } from "commander";
import type { DatastoreOption } from "../../client/client-context.js";
import type { DataArtifact } from "../../client/data-artifact.js";
import { MAX_REPEATED_VALUES, toJsonValue } from "../../client/json-value.js";
import { Run } from "../../client/run.js";
import { Step } from "../../client/step.js";
import { Task } from "../../client/task.js";
import { parsePathspec } from "../../datastore/pathspec.js";
import { UsageError } from "../../errors.js";
import type { FlowCommandContext } from "../command-context.js";
import { flowPathspec } from "../flow-pathspec.js";
import { fitsInspect } from "../inspect-budget.js";
import { readRunWithProductionFallback } from "../production-datastore.js";

interface DumpFlags {
  json: boolean;
  maxValueSize: string;
  include?: string;
}

function maxValueSize(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new UsageError(`Invalid --max-value-size '${text}': give a whole number of characters, 1 or more.`);
  }
  return value;
}

/** The tasks `pathspec` names; `runKilled`: their run's runtime is gone without ending it. */
async function tasksOf(
  pathspec: string,
  root: DatastoreOption,
): Promise<{ tasks: Task[]; runKilled: boolean }> {
  // A run id names one run whoever started it: dump reads across namespaces.
  const options = { datastore: root, namespace: null };
  const { flow, runId, step, taskId } = parsePathspec(pathspec);
  if (step === undefined) {
    throw new UsageError(`Expected RUN/STEP or RUN/STEP/TASK: '${pathspec}'. Name a step, e.g. <run>/end.`);
  }
  const tasks =
    taskId !== undefined
      ? [await Task.get(pathspec, options)]
      : await (await Step.get(pathspec, options)).tasks();
  // An attempt with no end in a killed run is not running: it ended with its runtime.
  const unended = tasks.some((task) => task.status === "running");
  const runKilled = unended && (await Run.get(`${flow}/${runId}`, options)).status === "killed";
  return { tasks, runKilled };
}

/** `name [type, size] = value`, the value on one line, cut after `max` characters. */
async function describe(artifact: DataArtifact, max: number): Promise<string> {
  const loaded = await artifact.load();
  const head = `${artifact.name} [${artifact.type}, ${artifact.size} bytes] = `;
  if (!fitsInspect(loaded, { depth: 6, maxArrayLength: max, budget: MAX_REPEATED_VALUES })) {
    return `${head}(too large to show: its shared objects would be printed as more than ${MAX_REPEATED_VALUES} values; read parts of it with the Client API)`;
  }
  const text = inspect(loaded, {
    depth: 6,
    breakLength: Number.POSITIVE_INFINITY,
    maxArrayLength: max,
    maxStringLength: max,
  });
  const value =
    text.length > max
      ? `${text.slice(0, max)}… (cut at ${max} characters; --json shows the whole value)`
      : text;
  return `${head}${value}`;
}

function selected(task: Task, include: string[] | undefined): DataArtifact[] {
  return include ? include.map((name) => task.artifact(name)) : task.artifacts();
}

export function registerDump(program: Command, context: FlowCommandContext): void {
  program
    .command("dump")
    .description("print the artifacts of a step's tasks, or of one task")
    .argument(
      "<pathspec>",
      "RUN/STEP or RUN/STEP/TASK, e.g. 1795510290707/end (the flow's name in front is taken too)",
    )
    .option(
      "--json",
      "print {pathspec: {artifact: value}} as JSON (see docs/client.md for the encoding)",
      false,
    )
    .option("--max-value-size <chars>", "cut longer values in the readable form", "1000")
    .option("--include <names>", "only these artifacts, comma-separated")
    .action(async (pathspec: string, flags: DumpFlags) => {
      const max = maxValueSize(flags.maxValueSize);
      const include = flags.include?.split(",").map((name) => name.trim());
      const full = flowPathspec(context.flow.name, pathspec);
      const { tasks, runKilled } = await readRunWithProductionFallback(
        context.flow.name,
        full,
        context.globals().datastore,
        (root) => tasksOf(full, root),
      );
      if (flags.json) {
        const result: Record<string, Record<string, unknown>> = {};
        for (const task of tasks) {
          const values: Record<string, unknown> = {};
          for (const artifact of selected(task, include))
            values[artifact.name] = toJsonValue(await artifact.load());
          result[task.pathspec] = values;
        }
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      for (const task of tasks) {
        const choice = task.choice ? `, ${task.choice.value} -> ${task.choice.next}` : "";
        // A failure catchError handled is no success: say so, with the failure's type.
        const status =
          task.finished && !task.successful
            ? `caught ${task.exception?.type ?? "failure"}`
            : task.status === "running" && runKilled
              ? "killed with its run"
              : task.status;
        process.stdout.write(`${task.pathspec} (attempt ${task.attempt}, ${status}${choice})\n`);
        const artifacts = selected(task, include);
        if (artifacts.length === 0) process.stdout.write("  (no artifacts)\n");
        for (const artifact of artifacts) process.stdout.write(`  ${await describe(artifact, max)}\n`);
      }
    });
}
