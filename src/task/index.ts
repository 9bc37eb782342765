/**
 * @module flowship/task — the entry of a task process (local or in a Batch container).
 * @internal Used by flowship's compiled flow bundles; not for user code.
 */
import { parentWatchEnabled, taskSpecText } from "../config.js";
import { FlowshipError, isFlowshipError } from "../errors.js";
import { markHost, registeredFlows } from "../flow/registry.js";
import { exitWhenFlushed } from "../util/exit-when-flushed.js";
import { executeTask } from "./executor.js";
import { markSubprocesses } from "./subprocess-mark.js";
import { parseTaskSpec } from "./task-spec.js";
import { drainChildOutput, routeChildOutputThroughThread } from "./thread-child-output.js";
import { WARM_ATTEMPT_END } from "./warm-thread.js";

export { executeTask, TASK_EXIT } from "./executor.js";

// This module is evaluated before the flow module in a compiled bundle: running the bundle
// directly must never make the flow's `.run()` start a run.
markHost("task");

let childProcessesPatched = false;
/**
 * Marks a step's subprocesses (subprocess-mark.ts) and, in a thread, routes their output. Done as
 * this module is evaluated, before the flow module: code that keeps `spawn` from its top level
 * (bundled CommonJS: `const { spawn } = require("child_process")`) holds the patched versions.
 * Marking first: the thread's rerouting then wraps the marking versions.
 */
function patchChildProcesses(): void {
  if (childProcessesPatched) return;
  childProcessesPatched = true;
  markSubprocesses();
  routeChildOutputThroughThread();
}
if (taskSpecText() !== undefined) patchChildProcesses();

export type { TaskSpec } from "./task-spec.js";

/**
 * The local runtime gives each task a stdin pipe and never writes to it: when the runtime dies
 * (even by SIGKILL) the pipe closes, and the task stops too instead of running on orphaned.
 */
function watchParent(): void {
  if (!parentWatchEnabled()) return;
  process.stdin.on("end", () => process.kill(process.pid, "SIGKILL"));
  process.stdin.on("error", () => process.kill(process.pid, "SIGKILL"));
  process.stdin.resume();
  (process.stdin as unknown as { unref?: () => void }).unref?.();
}

/**
 * Ends the task once its end record is written, whatever the step left running (a timer, a
 * socket, a child): a task ends when its step has returned, as a container ends with its main
 * process.
 */
function exitWith(code: number): void {
  // In a task host's warm thread (warm-thread.ts) the attempt ends, not the thread.
  const endAttempt = (globalThis as Record<symbol, unknown>)[WARM_ATTEMPT_END] as
    | ((code: number) => void)
    | undefined;
  void drainChildOutput().then(() =>
    endAttempt
      ? process.stdout.write("", () => process.stderr.write("", () => endAttempt(code)))
      : exitWhenFlushed(code),
  );
}

/** When this process was started as a task (FLOWSHIP_TASK is set), run it and set the exit code. */
export async function runTaskProcessIfTask(): Promise<void> {
  const text = taskSpecText();
  if (text === undefined) return;
  watchParent();
  patchChildProcesses();
  try {
    const spec = parseTaskSpec(text);
    const flow = registeredFlows().find((f) => f.name === spec.flow);
    if (!flow) {
      throw new FlowshipError("FS_TASK_NO_FLOW", `The compiled code defines no flow named '${spec.flow}'.`);
    }
    exitWith(await executeTask(flow, spec));
  } catch (error) {
    // Reaching here means flowship itself could not run the attempt (datastore unreachable, …).
    process.stderr.write(
      `flowship task error: ${isFlowshipError(error) ? error.message : ((error as Error).stack ?? String(error))}\n`,
    );
    exitWith(1);
  }
}
