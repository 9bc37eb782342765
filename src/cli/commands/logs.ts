import type { Command } from "commander";
import type { DatastoreOption } from "../../client/client-context.js";
import { ObjectNotFoundError } from "../../client/errors.js";
import { Run } from "../../client/run.js";
import { Step } from "../../client/step.js";
import { Task } from "../../client/task.js";
import { parsePathspec } from "../../datastore/pathspec.js";
import { UsageError } from "../../errors.js";
import type { FlowCommandContext } from "../command-context.js";
import { flowPathspec } from "../flow-pathspec.js";
import { readRunWithProductionFallback } from "../production-datastore.js";

interface LogsFlags {
  stderr: boolean;
  both: boolean;
  attempt?: string;
}

/** `--attempt`'s value: a whole number from 0, or undefined for the latest. */
export function attemptOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) {
    throw new UsageError(
      `Invalid --attempt '${text}': give 0 for the first attempt, 1 for the first retry, ….`,
    );
  }
  return value;
}

/** The tasks `RUN[/STEP[/TASK]]` names, at the wanted attempt (tasks without it are left out). */
async function tasksOf(
  pathspec: string,
  root: DatastoreOption,
  attempt: number | undefined,
): Promise<Task[]> {
  // A run id names one run whoever started it: logs read across namespaces.
  const options = { datastore: root, namespace: null, ...(attempt !== undefined ? { attempt } : {}) };
  const { step, taskId } = parsePathspec(pathspec);
  if (taskId !== undefined) return [await Task.get(pathspec, options)];
  const steps =
    step !== undefined
      ? [await Step.get(pathspec, options)]
      : await (await Run.get(pathspec, options)).steps();
  const tasks: Task[] = [];
  for (const s of steps) {
    for (const latest of await s.tasks()) {
      if (attempt === undefined) tasks.push(latest);
      else if (latest.attempts().some((a) => a.attempt === attempt))
        tasks.push(await s.task(latest.id, { attempt }));
    }
  }
  if (tasks.length === 0 && attempt === undefined) {
    throw new ObjectNotFoundError({
      kind: "Task",
      pathspec,
      datastore: typeof root === "string" ? root : root.root,
      hint: "No task there recorded its start yet; see the run's status with `runs`",
    });
  }
  if (tasks.length === 0) {
    throw new ObjectNotFoundError({
      kind: "Attempt",
      pathspec: `${pathspec}#${attempt}`,
      datastore: typeof root === "string" ? root : root.root,
      hint: "No task there has this attempt; leave out --attempt for the latest",
    });
  }
  return tasks;
}

export function registerLogs(program: Command, context: FlowCommandContext): void {
  program
    .command("logs")
    .description("print what the tasks of a run printed (stdout by default)")
    .argument(
      "<pathspec>",
      "RUN, RUN/STEP or RUN/STEP/TASK, e.g. 1795510290707/start/0 (the flow's name in front is taken too)",
    )
    .option("--stderr", "print stderr instead of stdout", false)
    .option("--both", "print stdout and then stderr of each task", false)
    .option("--attempt <n>", "the attempt to show: 0 is the first (default: the latest)")
    .action(async (pathspec: string, flags: LogsFlags) => {
      if (flags.stderr && flags.both) throw new UsageError("Give --stderr or --both, not both.");
      const streams = flags.both
        ? (["stdout", "stderr"] as const)
        : flags.stderr
          ? (["stderr"] as const)
          : (["stdout"] as const);
      const full = flowPathspec(context.flow.name, pathspec);
      const attempt = attemptOf(flags.attempt);
      const tasks = await readRunWithProductionFallback(
        context.flow.name,
        full,
        context.globals().datastore,
        (root) => tasksOf(full, root, attempt),
      );
      const headers = tasks.length > 1 || streams.length > 1;
      let printed = 0;
      for (const task of tasks) {
        for (const stream of streams) {
          const text = await task[stream]();
          printed += text.length;
          if (headers)
            process.stdout.write(`==> ${task.pathspec} (attempt ${task.attempt}, ${stream}) <==\n`);
          process.stdout.write(text);
          if (text === "" && task.origin) {
            process.stderr.write(
              `note: ${task.pathspec} was cloned by resume from ${task.origin}; its logs are there.\n`,
            );
          }
        }
      }
      if (printed === 0 && streams.length === 1 && streams[0] === "stdout") await hintAtStderr(tasks);
    });
}

/** Nothing on stdout: say where the output is (a failed task's error is on stderr), or nothing. */
async function hintAtStderr(tasks: Task[]): Promise<void> {
  let withStderr = 0;
  for (const task of tasks) if ((await task.stderr()) !== "") withStderr++;
  if (withStderr === 0) return;
  const which = tasks.length === 1 ? "the task" : `${withStderr} of these tasks`;
  process.stderr.write(`note: nothing on stdout; ${which} wrote to stderr: add --stderr (or --both).\n`);
}
