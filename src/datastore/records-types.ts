/** The records flowship keeps per run, task and attempt. Documented in docs/datastore.md. */
import type { StepFailure } from "../errors.js";
import type { ArtifactRef } from "./content-store.js";

export interface RunRecord {
  flow: string;
  runId: string;
  user: string;
  /** `user:<name>` or `production:<token>`: the namespace the run belongs to. */
  namespace: string;
  /** Tags given at run start; later changes live in the run's tags record. */
  tags: string[];
  systemTags: string[];
  parameters: Record<string, ArtifactRef>;
  startedAt: string;
  flowshipVersion: string;
  /** sha256 of the compiled flow code the tasks ran. */
  codeHash: string;
  /** Where the runtime that drives the run lives, to tell a killed run from a running one. */
  host: string;
  pid: number;
  runtime: "local" | "step-functions";
  /** The run this one resumed. */
  originRunId?: string;
  /**
   * The fire time the run stands for (ISO 8601, UTC): given by a schedule, a backfill or
   * `run --scheduled-time`; a resumed run keeps its origin's.
   */
  scheduledTime?: string;
  /** Steps of the flow, in order, with their type: lets readers walk a run without the code. */
  steps: RecordedStep[];
}

/** The graph's node type of a recorded step; "step" is what older runs recorded for any of them. */
export type RecordedStepType = "linear" | "split" | "foreach" | "switch" | "join" | "end" | "step";

/** A step as a run records it: enough to draw the graph without the code. */
export interface RecordedStep {
  name: string;
  type: RecordedStepType;
  next: readonly string[];
  /** A switch's cases: `String(value)` → the step it leads to. */
  cases?: Readonly<Record<string, string>>;
}

export type RunStatus = "running" | "succeeded" | "failed" | "killed";

export interface RunEndRecord {
  status: "succeeded" | "failed";
  endedAt: string;
  /** Why the run failed: the first failing task, or an interruption. */
  reason?: string;
  failedTask?: string;
  /** A failed run stopped by its caller (the programmatic API's AbortSignal or `cancel()`). */
  cancelled?: boolean;
  /** When the failing task sent the deployment's alert itself (production runs with error alerts). */
  alertedAt?: string;
}

export interface ForeachFrame {
  /** The foreach step that fanned out. */
  step: string;
  /** The artifact it fanned out over (Metaflow's `var`); absent in runs before 2026-12. */
  var?: string;
  index: number;
  numSplits: number;
  /** The list fanned out over (its blob), so every task in the foreach body can read its item. */
  items?: ArtifactRef;
  /** A short text form of the item, for listings. */
  preview?: string;
}

export interface AttemptStartRecord {
  attempt: number;
  startedAt: string;
  host: string;
  /** Pathspecs `run/step/task` of the tasks this one read artifacts from. */
  inputs: string[];
  foreachStack: ForeachFrame[];
  /** For a task cloned by `resume`: the task it was copied from (`Flow/run/step/task`). */
  origin?: string;
  /** Set when the attempt only records the failure of an earlier one for catchError. */
  fallback?: boolean;
}

export interface AttemptEndRecord {
  attempt: number;
  /** `succeeded` includes a failure handled by catchError (`caught`). */
  status: "succeeded" | "failed";
  caught?: boolean;
  endedAt: string;
  artifacts: Record<string, ArtifactRef>;
  failure?: StepFailure;
  /** For a foreach step: how many tasks the next step gets. */
  foreach?: { var: string; numSplits: number };
  /** For a switch step: `String(value)` of its condition and the step its case leads to. */
  switch?: { value: string; next: string };
  /** How the process ended, when the runtime (not the task) wrote this record. */
  exit?: { code: number | null; signal: string | null; timedOut?: boolean; outOfMemory?: boolean };
  origin?: string;
}

/** One `tag add` or `tag remove` of a run's user tags. */
export interface TagChange {
  add: string[];
  remove: string[];
  /** ISO time of the change; changes apply in this order. */
  at: string;
}
