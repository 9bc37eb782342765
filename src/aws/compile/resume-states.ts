/**
 * A resume with a fix on Step Functions (`step-functions resume --origin-run-id sfn-… [STEP]`):
 * an execution of the production version whose input carries `{"Resume": {"Origin": "sfn-…",
 * "Step": "<step>"}}`. The input check sends it to three states of its own: a Pass that sets the
 * input every step expects, one Batch job that clones every task of the origin that succeeded
 * before the resume point (datastore copies, however many: aws/batch/resume-clone.ts), and a
 * Choice that jumps to the resume point's state. From there the run goes on as any run, on the
 * new version's code, and the cloned steps' states are never entered.
 *
 * A jump can only land in the top scope of the state machine: on a step outside every split,
 * foreach and loop, or on the first iteration of a loop at the top. So a resume point is rounded
 * out to the step of the top scope that holds it (`resumePoint`): resuming inside a foreach runs
 * the whole foreach again.
 */
import type { FlowGraph, GraphNode } from "../../graph/flow-graph.js";
import { ChoiceState } from "../asl/choice-state.js";
import { FailState } from "../asl/fail-state.js";
import { PassState } from "../asl/pass-state.js";
import type { AslState } from "../asl/state.js";
import { TaskState } from "../asl/task-state.js";
import type { ResolvedCompileOptions } from "./compile-options.js";
import { RESUME_PATH } from "./input-states.js";
import { firstIterationStateName } from "./loop-states.js";
import { batchName, RESUME_STATES } from "./naming.js";
import { BATCH_TRANSIENT_RETRY } from "./step-task.js";
import { dynamicEnv, EXECUTION_NAME, fixedEnv, runIdEnv, TASK_ENV } from "./task-environment.js";

/** Error name of a resume whose `Resume.Step` names no state a resume can start from. */
export const INVALID_RESUME_ERROR = "Flowship.InvalidResume";

/** The execution input of a resume with a fix (`Parameters` and `ScheduledTime` come from the origin). */
export function resumeExecutionInput(origin: string, step: string): string {
  return JSON.stringify({ Resume: { Origin: origin, Step: step } });
}

/** Whether a resume can start at `node` itself: in the top scope, or heading a loop there. */
function inTopScope(node: GraphNode): boolean {
  return node.splitParents.length === 0 && (node.loops.length === 0 || node.loops[0] === node.name);
}

/**
 * The step a resume from `step` starts at: `step` itself in the top scope, else the outermost
 * split, foreach or loop of the top scope around it.
 */
export function resumePoint(graph: FlowGraph, step: string): string {
  let node = graph.nodes.get(step)!;
  while (!inTopScope(node)) {
    node = graph.nodes.get(node.splitParents[0] ?? node.loops[0]!)!;
  }
  return node.name;
}

/** The state a resume starting at `step` jumps to: its own, or its loop's first iteration. */
function jumpTarget(node: GraphNode): string {
  return node.loops.length > 0 ? firstIterationStateName(node.name) : node.name;
}

/** The Pass, the clone job and the Choice of a resume, in the top scope. */
export function resumeStates(
  graph: FlowGraph,
  context: { flow: string; options: ResolvedCompileOptions },
): Array<[string, AslState]> {
  const { flow, options } = context;
  const points = graph.order.map((s) => graph.nodes.get(s)!).filter(inTopScope);
  return [
    [
      RESUME_STATES.input,
      new PassState({
        // A resume with a fix: the origin's parameters and fire time apply, not the input's.
        parameters: { Parameters: "{}", ScheduledTime: "", "Resume.$": RESUME_PATH },
        next: RESUME_STATES.clone,
      }),
    ],
    [
      RESUME_STATES.clone,
      new TaskState({
        // One job clones every task of the origin that succeeded before the resume point.
        resource: `arn:${options.partition}:states:::batch:submitJob.sync`,
        parameters: {
          JobName: batchName(`${flow}-resume-clone`),
          JobDefinition: options.jobDefinition,
          JobQueue: options.jobQueue,
          ContainerOverrides: {
            Environment: [
              runIdEnv(EXECUTION_NAME.context),
              dynamicEnv(TASK_ENV.step, `${RESUME_PATH}.Step`),
              fixedEnv(TASK_ENV.taskId, "0"),
              dynamicEnv(TASK_ENV.resumeOrigin, `${RESUME_PATH}.Origin`),
            ],
          },
        },
        resultPath: null,
        timeoutSeconds: options.taskTimeoutSeconds,
        retry: [BATCH_TRANSIENT_RETRY],
        next: RESUME_STATES.jump,
      }),
    ],
    [
      RESUME_STATES.jump,
      new ChoiceState({
        // Goes on at the resume point, on this version's code. (No Comment fields in these states:
        // every flow carries them, and their bytes count against a small flow's size, bench row 5.)
        choices: points.map((node) => ({
          condition: { variable: `${RESUME_PATH}.Step`, stringEquals: node.name },
          next: jumpTarget(node),
        })),
        default: RESUME_STATES.invalid,
      }),
    ],
    [
      RESUME_STATES.invalid,
      new FailState({
        error: INVALID_RESUME_ERROR,
        cause: `Resume.Step must name a step a resume can start from: ${points.map((n) => n.name).join(", ")}.`,
      }),
    ],
  ];
}
