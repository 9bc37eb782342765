/**
 * What `resume` reuses: every successful task of the origin run, except in the steps to run
 * again when a step is named (that step and everything after it). Without a step, only what did
 * not succeed runs: the failed tasks, the tasks the origin never reached, and what follows them.
 * Reused tasks are cloned by reference: their records point at the same artifact blobs.
 */
import os from "node:os";
import type { ArtifactRef } from "../datastore/content-store.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { AttemptEndRecord, AttemptStartRecord } from "../datastore/records-types.js";
import { runStatus } from "../datastore/run-status.js";
import { FlowshipError } from "../errors.js";
import type { FlowGraph } from "../graph/flow-graph.js";

export class ResumeError extends FlowshipError {}

/** Refuses a resume step the flow does not have, naming the steps it has. */
export function checkResumeStep(graph: FlowGraph, flow: string, step: string): void {
  if (!graph.nodes.has(step)) {
    throw new ResumeError(
      "FS_RESUME_UNKNOWN_STEP",
      `Cannot resume from step '${step}': flow '${flow}' has no such step; its steps are ${graph.order.join(", ")}.`,
      { exitCode: 2 },
    );
  }
}

function descendants(graph: FlowGraph, step: string): Set<string> {
  const found = new Set([step]);
  const queue = [step];
  while (queue.length > 0) {
    for (const next of graph.nodes.get(queue.shift()!)?.next ?? []) {
      if (!found.has(next)) {
        found.add(next);
        queue.push(next);
      }
    }
  }
  return found;
}

interface PlanFields {
  originRunId: string;
  parameters: Record<string, ArtifactRef>;
  scheduledTime: string | undefined;
  rerunFrom: string | undefined;
  missing: string[];
  rerun: Set<string>;
  successful: Map<string, AttemptEndRecord>;
  starts: Map<string, AttemptStartRecord>;
  unfinished: string[];
}

export class ResumePlan {
  readonly originRunId: string;
  readonly parameters: Record<string, ArtifactRef>;
  /** The origin's fire time, which the resumed run stands for too. */
  readonly scheduledTime: string | undefined;
  /** The first step that did not succeed in the origin, or the step named on the command line. */
  readonly rerunFrom: string | undefined;
  /** Tasks that succeeded in the origin but run again because an artifact blob of theirs is gone. */
  readonly missingArtifacts: readonly string[];
  readonly #rerun: Set<string>;
  readonly #successful: Map<string, AttemptEndRecord>;
  readonly #starts: Map<string, AttemptStartRecord>;
  /** `step/taskId` of the origin's tasks that did not succeed (or lost an artifact), in graph order. */
  readonly #unfinished: string[];

  readonly #fields: PlanFields;

  private constructor(fields: PlanFields) {
    this.#fields = fields;
    this.originRunId = fields.originRunId;
    this.parameters = fields.parameters;
    this.scheduledTime = fields.scheduledTime;
    this.rerunFrom = fields.rerunFrom;
    this.#rerun = fields.rerun;
    this.#successful = fields.successful;
    this.#starts = fields.starts;
    this.#unfinished = fields.unfinished;
    this.missingArtifacts = fields.missing;
  }

  static async load(options: {
    store: FlowStore;
    graph: FlowGraph;
    originRunId: string;
    step?: string;
  }): Promise<ResumePlan> {
    const { store, graph, originRunId } = options;
    const origin = await store.readRun(originRunId);
    if (!origin) {
      throw new ResumeError(
        "FS_RESUME_NO_ORIGIN",
        `Cannot resume: run '${store.flow}/${originRunId}' does not exist in ${store.storage.description}.`,
      );
    }
    // Two runtimes driving the same steps would run them twice, side effects included.
    if (
      runStatus(origin, await store.readRunEnd(originRunId)) === "running" &&
      origin.host === os.hostname()
    ) {
      if (origin.pid !== process.pid) {
        throw new ResumeError(
          "FS_RESUME_STILL_RUNNING",
          `Cannot resume run '${store.flow}/${originRunId}': it is still running (process ${origin.pid} on this host). Wait for it to end, or stop it (kill ${origin.pid}), then resume.`,
        );
      }
      // A run started from code runs in its caller's process: killing that would kill the caller.
      throw new ResumeError(
        "FS_RESUME_STILL_RUNNING",
        `Cannot resume run '${store.flow}/${originRunId}': it is still running in this process. Wait for it to end, or stop it (cancel() or its AbortSignal), then resume.`,
      );
    }
    if (options.step !== undefined) checkResumeStep(graph, store.flow, options.step);
    const successful = new Map<string, AttemptEndRecord>();
    const starts = new Map<string, AttemptStartRecord>();
    const unfinished: string[] = [];
    const missing: string[] = [];
    let firstUnfinished: string | undefined;
    for (const step of graph.order) {
      const taskIds = await store.listTasks(originRunId, step);
      for (const taskId of taskIds) {
        const attempts = await store.readAttempts(originRunId, step, taskId);
        const end = attempts?.ends.get(attempts.latest);
        // A task whose artifacts are gone (a damaged blob deleted, as docs/reliability.md advises)
        // cannot be cloned: it runs again and stores them anew.
        if (end?.status === "succeeded" && (await store.content.allPresent(Object.values(end.artifacts)))) {
          successful.set(`${step}/${taskId}`, end);
          starts.set(`${step}/${taskId}`, attempts!.starts.get(attempts!.latest)!);
        } else {
          if (end?.status === "succeeded") missing.push(`${step}/${taskId}`);
          unfinished.push(`${step}/${taskId}`);
          firstUnfinished ??= step;
        }
      }
    }
    // A step the origin never reached (its runtime was killed first) is where it stopped, too.
    if (firstUnfinished === undefined) {
      firstUnfinished = graph.order.find(
        (step) => ![...successful.keys()].some((k) => k.startsWith(`${step}/`)),
      );
    }
    return new ResumePlan({
      originRunId,
      parameters: origin.parameters,
      scheduledTime: origin.scheduledTime,
      rerunFrom: options.step ?? firstUnfinished,
      rerun: options.step ? descendants(graph, options.step) : new Set(),
      successful,
      starts,
      unfinished,
      missing,
    });
  }

  /** The same origin, run again from `step` (a step of `graph`) and everything after it. */
  rerunningFrom(graph: FlowGraph, step: string): ResumePlan {
    return new ResumePlan({ ...this.#fields, rerunFrom: step, rerun: descendants(graph, step) });
  }

  /**
   * Every task to clone, in graph order, with the origin's start and end records: what
   * succeeded outside the steps that run again.
   */
  clonedTasks(): Array<{ step: string; taskId: string; start: AttemptStartRecord; end: AttemptEndRecord }> {
    return [...this.#successful]
      .map(([key, end]) => {
        const slash = key.indexOf("/");
        return {
          step: key.slice(0, slash),
          taskId: key.slice(slash + 1),
          start: this.#starts.get(key)!,
          end,
        };
      })
      .filter((task) => !this.#rerun.has(task.step));
  }

  /**
   * Tasks outside the steps that run again that did not succeed in the origin: a run that only
   * goes on from the named step (Step Functions) would never run them.
   */
  unfinishedBeforeRerun(): string[] {
    return this.#unfinished.filter((key) => !this.#rerun.has(key.slice(0, key.indexOf("/"))));
  }

  /** Whether `step` is the step the run goes on from or one after it. */
  runsAgain(step: string): boolean {
    return this.#rerun.has(step);
  }

  /** The origin's successful record for this task, when the task is to be cloned. */
  cloneSource(step: string, taskId: string): AttemptEndRecord | undefined {
    if (this.#rerun.has(step)) return undefined;
    return this.#successful.get(`${step}/${taskId}`);
  }
}
