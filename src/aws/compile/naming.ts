/**
 * Every name the compiler gives to AWS: state names, the state machine name, Batch job and job
 * definition names. Steps keep their own names as state names, so the console shows the flow as
 * the user wrote it; the states flowship adds contain a `-`, which step names cannot, so the two
 * never collide.
 */
import { sha256 } from "../../util/hash.js";
import { StepFunctionsNameError } from "./errors.js";

/**
 * State names are at most 80 characters.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html#service-limits-state-machine-executions
 */
export const MAX_STATE_NAME_LENGTH = 80;
/** @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#StepFunctions-CreateStateMachine-request-name */
export const MAX_STATE_MACHINE_NAME_LENGTH = 80;
/** @see https://docs.aws.amazon.com/batch/latest/APIReference/API_SubmitJob.html#Batch-SubmitJob-request-jobName */
export const MAX_BATCH_NAME_LENGTH = 128;

const STATE_MACHINE_NAME = /^[A-Za-z0-9_-]+$/;

/** The states that check the execution input before `start`. */
export const INPUT_STATES = {
  check: "flowship-input",
  defaults: "flowship-default-input",
  unscheduled: "flowship-unscheduled-input",
  asText: "flowship-input-as-text",
  invalid: "flowship-invalid-input",
} as const;

/** The states of a resume with a fix (`step-functions resume --origin-run-id`), see resume-states.ts. */
export const RESUME_STATES = {
  input: "flowship-resume",
  clone: "flowship-resume-clone",
  jump: "flowship-resume-from",
  invalid: "flowship-invalid-resume",
} as const;

/** The Parallel state of a static split. */
export function splitStateName(step: string): string {
  return `${step}-split`;
}

/** The Task that reads the list of a foreach's items from S3. */
export function foreachItemsStateName(step: string): string {
  return `${step}-items`;
}

/** The Map state that runs a foreach's body once per item. */
export function foreachMapStateName(step: string): string {
  return `${step}-foreach`;
}

/** The Task that records the failure of a step with `catchError`. */
export function fallbackStateName(step: string): string {
  return `${step}-fallback`;
}

/** Throws unless `name` is a legal state name. */
export function checkStateName(name: string, where: { flow: string; step?: string }): string {
  if (name.length === 0 || name.length > MAX_STATE_NAME_LENGTH) {
    throw new StepFunctionsNameError({
      kind: "state",
      name,
      rule: `1 to ${MAX_STATE_NAME_LENGTH} characters`,
      ...where,
      remedy: "Give the step a shorter name",
    });
  }
  return name;
}

/** The state machine name: `--name`, else the flow's name. */
export function stateMachineName(flow: string, override?: string): string {
  const name = override ?? flow;
  if (!STATE_MACHINE_NAME.test(name) || name.length > MAX_STATE_MACHINE_NAME_LENGTH) {
    throw new StepFunctionsNameError({
      kind: "state machine",
      name,
      rule: `1 to ${MAX_STATE_MACHINE_NAME_LENGTH} letters, digits, '-' or '_'`,
      flow,
      remedy: override === undefined ? "Pass a valid name with --name" : "Choose another --name",
      given: override !== undefined,
    });
  }
  return name;
}

/**
 * Fits `name` into Batch's naming rule: letters, digits, `-` and `_`, alphanumeric first, at most
 * 128 characters. A name that is too long keeps its start and ends with a hash of the whole.
 */
export function batchName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^[^A-Za-z0-9]/, "x");
  if (cleaned.length <= MAX_BATCH_NAME_LENGTH) return cleaned;
  const hash = sha256(name).slice(0, 12);
  return `${cleaned.slice(0, MAX_BATCH_NAME_LENGTH - hash.length - 1)}-${hash}`;
}

/** The Batch job name of a step: `<flow>-<step>`, the same for every task and attempt. */
export function batchJobName(flow: string, step: string): string {
  return batchName(`${flow}-${step}`);
}

/** The Batch job definition of a flow: `flowship-<flow>`. */
export function jobDefinitionName(flow: string): string {
  return batchName(`flowship-${flow}`);
}

/**
 * A Distributed Map's `Label`, which names its Map Runs and child executions: at most 40
 * characters, so a longer step name keeps its start and ends with a hash of the whole.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html#map-state-distributed-additional-fields
 */
export const MAX_MAP_RUN_LABEL_LENGTH = 40;

export function mapRunLabel(step: string): string {
  if (step.length <= MAX_MAP_RUN_LABEL_LENGTH) return step;
  const hash = sha256(step).slice(0, 8);
  return `${step.slice(0, MAX_MAP_RUN_LABEL_LENGTH - hash.length - 1)}-${hash}`;
}
