/**
 * The resume job of a resume with a fix (aws/compile/resume-states.ts): one Batch job, on the new
 * version's code, that writes the resumed run's record — its origin's parameters and fire time,
 * and the origin's id — and clones every task of the origin that succeeded outside the steps that
 * run again. A clone is a datastore copy, as a local `resume` makes it: the task's start and end
 * records, pointing at the same artifact blobs, with `origin` naming the task copied. No job runs
 * for a cloned task, and the state machine then jumps past their states.
 *
 * The job may be retried (a Batch throttling retry, a lost instance): the run record is written
 * once and end records are created exclusively, so a second job finishes what the first began.
 */
import os from "node:os";
import type { FlowStore } from "../../datastore/flow-store.js";
import type { AttemptStartRecord, RunRecord } from "../../datastore/records-types.js";
import { FlowshipError } from "../../errors.js";
import type { FlowSpec } from "../../flow/types.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import { ResumePlan } from "../../run/resume-plan.js";
import { resumePoint } from "../compile/resume-states.js";
import { writeProductionRun } from "./production-run.js";

export class ResumeCloneError extends FlowshipError {}

/** Clones written to the datastore at once: each is two small writes. */
const CLONES_AT_ONCE = 16;

export interface ResumeCloneOptions {
  store: FlowStore;
  graph: FlowGraph;
  flow: FlowSpec;
  /** The resumed run, `sfn-<execution name>`. */
  runId: string;
  originRunId: string;
  /** The resume point: a step of the state machine's top scope. */
  step: string;
  /** sha256 of the code package this job runs: the resumed run's code. */
  codeHash: string;
  print: (line: string) => void;
}

/** The origin's start record for the clone: its inputs are the same tasks, of the resumed run. */
function clonedStart(
  start: AttemptStartRecord,
  origin: string,
  runId: string,
  path: string,
): AttemptStartRecord {
  return {
    attempt: 0,
    startedAt: new Date().toISOString(),
    host: os.hostname(),
    inputs: start.inputs.map((input) =>
      input.startsWith(`${origin}/`) ? `${runId}${input.slice(origin.length)}` : input,
    ),
    foreachStack: start.foreachStack,
    origin: path,
  };
}

async function resumedRun(options: ResumeCloneOptions, origin: RunRecord): Promise<RunRecord> {
  const existing = await options.store.readRun(options.runId);
  if (existing) return existing;
  return writeProductionRun(options.store, options.flow, {
    runId: options.runId,
    parameters: origin.parameters,
    codeHash: options.codeHash,
    originRunId: origin.runId,
    ...(origin.scheduledTime ? { scheduledTime: origin.scheduledTime } : {}),
  });
}

/** Writes the resumed run and its clones; returns how many tasks were cloned. */
export async function cloneForResume(options: ResumeCloneOptions): Promise<number> {
  const { store, graph, runId, originRunId, step } = options;
  const where = `resume of run '${store.flow}/${originRunId}' from step '${step}'`;
  if (!graph.nodes.has(step) || resumePoint(graph, step) !== step) {
    throw new ResumeCloneError(
      "FS_BATCH_RESUME_STEP",
      `Cannot start the ${where}: this version of flow '${store.flow}' has ${graph.nodes.has(step) ? `no state a resume can jump to at that step (it starts at '${resumePoint(graph, step)}')` : "no such step"}. Start it with step-functions resume, which chooses the step.`,
    );
  }
  const origin = await store.readRun(originRunId);
  if (!origin) {
    throw new ResumeCloneError(
      "FS_BATCH_RESUME_NO_ORIGIN",
      `Cannot start the ${where}: the run does not exist in ${store.storage.description}.`,
    );
  }
  const plan = await ResumePlan.load({ store, graph, originRunId, step });
  const unfinished = plan.unfinishedBeforeRerun();
  if (unfinished.length > 0) {
    throw new ResumeCloneError(
      "FS_BATCH_RESUME_INCOMPLETE",
      `Cannot start the ${where}: task${unfinished.length > 1 ? "s" : ""} ${unfinished.slice(0, 5).join(", ")} did not succeed there and would never run. Resume from an earlier step.`,
    );
  }
  await resumedRun(options, origin);
  const tasks = plan.clonedTasks();
  for (let first = 0; first < tasks.length; first += CLONES_AT_ONCE) {
    await Promise.all(
      tasks.slice(first, first + CLONES_AT_ONCE).map(async ({ step: s, taskId, start, end }) => {
        const path = `${store.flow}/${originRunId}/${s}/${taskId}`;
        // A retried job finds the clones its predecessor made: each is written once.
        if (await store.readAttemptEnd(runId, s, taskId, 0)) return;
        await store.writeAttemptStart(runId, s, taskId, clonedStart(start, originRunId, runId, path));
        await store.writeAttemptEnd(runId, s, taskId, {
          ...end,
          attempt: 0,
          endedAt: new Date().toISOString(),
          origin: path,
        });
      }),
    );
  }
  const steps = [...new Set(tasks.map((t) => t.step))];
  options.print(
    `[${runId}] resuming run ${originRunId} from step '${step}': cloned ${tasks.length} task${tasks.length === 1 ? "" : "s"}${steps.length > 0 ? ` of step${steps.length === 1 ? "" : "s"} ${steps.join(", ")}` : ""}; the rest runs on this version`,
  );
  return tasks.length;
}
