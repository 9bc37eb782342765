import type { ArtifactRef } from "../datastore/content-store.js";
import type { DatastoreLocation } from "../datastore/open-storage.js";
import type { ForeachFrame } from "../datastore/records-types.js";
import { FlowshipError } from "../errors.js";
import type { StepDecorator } from "../flow/decorators.js";

/** Everything one task attempt needs to know; passed to the task process as JSON. */
export interface TaskSpec {
  flow: string;
  runId: string;
  step: string;
  taskId: string;
  attempt: number;
  /** 1 + the retries allowed; the last attempt is where catchError takes over. */
  maxAttempts: number;
  /** The step's decorators, including those added with `--with`. */
  decorators: StepDecorator[];
  /** `run/step/task` of the tasks whose artifacts this task reads. */
  inputs?: string[];
  foreachStack: ForeachFrame[];
  datastore: DatastoreLocation;
  /** The run's parameters; read from the run record when absent. */
  parameters?: Record<string, ArtifactRef>;
  namespace: string;
  user: string;
  /** The run's tags; read from the run record when absent. */
  tags?: string[];
  production: boolean;
  /** The project branch of the run (`prod`, `test.<name>`, `user.<name>`), for a flow with a project. */
  projectBranch?: string;
  originRunId?: string;
  /** The fire time the run stands for (ISO 8601), when it has one: `current.scheduledTime`. */
  scheduledTime?: string;
  /** Set when an earlier attempt died without recording its failure and catchError must record it. */
  fallbackReason?: string;
  /**
   * Foreach steps: the most items the foreach may have where it runs, checked before the step
   * ends, so a list too long fails here instead of after part of its body ran.
   */
  foreachLimit?: ForeachLimit;
}

export interface ForeachLimit {
  maxWidth: number;
  /** Completes "more than the N items …", e.g. "an inline Map's history holds". */
  why: string;
  /** What to do about it, a sentence. */
  remedy: string;
}

export function parseTaskSpec(text: string): TaskSpec {
  try {
    const spec = JSON.parse(text) as TaskSpec;
    if (typeof spec.flow !== "string" || typeof spec.step !== "string" || typeof spec.runId !== "string") {
      throw new Error("missing flow, step or runId");
    }
    return spec;
  } catch (error) {
    throw new FlowshipError(
      "FS_TASK_SPEC",
      `Invalid task spec in FLOWSHIP_TASK: ${(error as Error).message}.`,
    );
  }
}

export function taskPathspec(spec: Pick<TaskSpec, "flow" | "runId" | "step" | "taskId">): string {
  return `${spec.flow}/${spec.runId}/${spec.step}/${spec.taskId}`;
}
