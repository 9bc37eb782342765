/**
 * `step-functions resume --origin-run-id sfn-… [STEP]`: a resume with a fix. After `create`
 * deployed the fixed code, this starts an execution of the production version that clones every
 * task of the origin run that succeeded before the resume point — one Batch job of datastore
 * copies, none per cloned task — and runs the rest on the new version (aws/compile/resume-states.ts,
 * aws/batch/resume-clone.ts). The resume point is the first step that did not succeed, or STEP,
 * rounded out to the step of the state machine's top scope that holds it.
 *
 * Resumed runs are executions named `resume-<uuid>`, so their run ids say what they are; the run
 * record keeps the origin (`originRunId`), which list-runs, the Client API and the UI show.
 */
import { randomUUID } from "node:crypto";
import type { FlowStore } from "../../datastore/flow-store.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import { checkResumeStep, ResumePlan } from "../../run/resume-plan.js";
import { resumeExecutionInput, resumePoint } from "../compile/resume-states.js";
import { authorize, requireDeployment } from "./deployment.js";
import { DeployError } from "./errors.js";
import { RESUME_EXECUTION_PREFIX, runIdOf, sfnExecutionName } from "./resource-names.js";
import { findRun, type RunChangeOptions } from "./terminate.js";

export interface ResumeWithFixOptions extends Omit<RunChangeOptions, "runId"> {
  /** The run to resume, `sfn-<execution name>`, an execution of this deployment. */
  originRunId: string;
  /** Run again from this step; default: the first step that did not succeed. */
  step?: string;
  /** The flow as deployed now (the fix): its steps decide what is cloned and where to go on. */
  graph: FlowGraph;
  /** The deployment's datastore, where the origin run is. */
  store: FlowStore;
}

export interface ResumedRun {
  runId: string;
  executionArn: string;
  /** The step the run goes on from. */
  step: string;
  /** The step asked for (or the first that did not succeed), when the resume starts earlier. */
  requested: string;
  /** Tasks cloned, `step/taskId`, and the steps they are of. */
  clonedTasks: number;
  clonedSteps: string[];
}

/** Starts the resumed run; returns once Step Functions accepted it. */
export async function resumeWithFix(options: ResumeWithFixOptions): Promise<ResumedRun> {
  const { sfn, target, graph, store, originRunId } = options;
  // What can be checked without AWS is, first: a typo costs no request.
  sfnExecutionName(originRunId);
  if (options.step !== undefined) checkResumeStep(graph, target.flow, options.step);
  const deployment = await requireDeployment(sfn, target);
  authorize(deployment, { ...options, action: "resume a run of" });
  const { execution } = await findRun({ ...options, runId: originRunId });
  if (execution.status === "RUNNING") {
    throw new DeployError(
      "FS_SFN_RUN_STILL_RUNNING",
      `Cannot resume run '${originRunId}': it is still running. Wait for it to end, or stop it with step-functions terminate ${originRunId}.`,
    );
  }
  const plan = await ResumePlan.load({
    store,
    graph,
    originRunId,
    ...(options.step === undefined ? {} : { step: options.step }),
  });
  let requested: string | undefined = plan.rerunFrom;
  if (requested === undefined) {
    throw new DeployError(
      "FS_SFN_NOTHING_TO_RESUME",
      `Nothing to resume in run '${originRunId}': every step succeeded. Name a step to run again from it and what follows.`,
      { exitCode: 2 },
    );
  }
  let step = resumePoint(graph, requested);
  let from = plan.rerunningFrom(graph, step);
  const unfinished = from.unfinishedBeforeRerun();
  if (unfinished.length > 0) {
    // The latest point it can go on from: the first step that did not succeed, rounded out.
    const latest = resumePoint(graph, unfinished[0]!.slice(0, unfinished[0]!.lastIndexOf("/")));
    throw new DeployError(
      "FS_SFN_RESUME_TOO_LATE",
      `Cannot resume run '${originRunId}' from step '${step}': ${unfinished.slice(0, 5).join(", ")} did not succeed there and would never run. Resume from step '${latest}' or one before it (the flow's steps are ${graph.order.join(", ")}), or without naming one.`,
      { exitCode: 2 },
    );
  }
  ({ requested, step, from } = beforeNeverRan(graph, plan, {
    originRunId,
    named: options.step !== undefined,
    point: { requested, step, from },
  }));
  const cloned = from.clonedTasks();
  const { executionArn } = await sfn.startExecution({
    stateMachineArn: target.aliasArn,
    name: `${RESUME_EXECUTION_PREFIX}${randomUUID()}`,
    input: resumeExecutionInput(originRunId, step),
  });
  return {
    runId: runIdOf(executionArn),
    executionArn,
    step,
    requested,
    clonedTasks: cloned.length,
    clonedSteps: [...new Set(cloned.map((t) => t.step))],
  };
}

/**
 * A parent of the resume point that does not run again and that no task of the origin succeeded
 * in, when none of the point's parents did: the point's task would then have no input. (One parent
 * that ran is enough: of a switch's cases only the one taken runs.)
 */
function neverRanBefore(graph: FlowGraph, plan: ResumePlan, step: string): string | undefined {
  const parents = graph.nodes.get(step)!.prev.filter((parent) => !plan.runsAgain(parent));
  const ran = new Set(plan.clonedTasks().map((task) => task.step));
  return parents.some((parent) => ran.has(parent)) ? undefined : parents[0];
}

interface ResumePointChoice {
  requested: string;
  step: string;
  from: ResumePlan;
}

/**
 * A step before the point that the origin never ran (added or renamed since) would be jumped
 * over, leaving the point's task without input: the run goes on from that step instead, and a
 * step the user named is refused.
 */
function beforeNeverRan(
  graph: FlowGraph,
  plan: ResumePlan,
  context: { originRunId: string; named: boolean; point: ResumePointChoice },
): ResumePointChoice {
  let { requested, step, from } = context.point;
  for (
    let skipped = neverRanBefore(graph, from, step);
    skipped;
    skipped = neverRanBefore(graph, from, step)
  ) {
    if (context.named) {
      throw new DeployError(
        "FS_SFN_RESUME_TOO_LATE",
        `Cannot resume run '${context.originRunId}' from step '${step}': step '${skipped}' before it never ran in that run (added or renamed since?) and would never run. Resume from step '${resumePoint(graph, skipped)}' or one before it (the flow's steps are ${graph.order.join(", ")}), or without naming one.`,
        { exitCode: 2 },
      );
    }
    requested = skipped;
    step = resumePoint(graph, skipped);
    from = plan.rerunningFrom(graph, step);
  }
  return { requested, step, from };
}
