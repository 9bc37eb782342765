/**
 * Errors of the Step Functions compiler. Each names the flow (and the step when there is one),
 * the rule that was broken and what to do about it.
 */
import { FlowshipError } from "../../errors.js";

function where(flow: string, step?: string): string {
  return step === undefined ? `flow '${flow}'` : `step '${step}' of flow '${flow}'`;
}

/** A name AWS would reject: a state machine, a state, a Batch job or job definition name. */
export class StepFunctionsNameError extends FlowshipError {
  constructor(facts: {
    kind: string;
    name: string;
    rule: string;
    flow: string;
    step?: string;
    remedy: string;
  }) {
    super(
      "FS_SFN_BAD_NAME",
      `Invalid ${facts.kind} name for ${where(facts.flow, facts.step)}: '${facts.name}' (${facts.rule}). ${facts.remedy}.`,
    );
  }
}

/** The compiled state machine would break an AWS quota. */
export class StepFunctionsLimitError extends FlowshipError {
  constructor(facts: {
    code: string;
    limit: string;
    actual: number;
    max: number;
    unit: string;
    flow: string;
    step?: string;
    remedy: string;
  }) {
    super(
      facts.code,
      `${facts.limit} exceeded by ${where(facts.flow, facts.step)}: ${facts.actual} ${facts.unit}, the limit is ${facts.max}. ${facts.remedy}.`,
    );
  }
}

/** A compile option with a value AWS would reject. */
export class StepFunctionsOptionError extends FlowshipError {
  constructor(facts: { option: string; value: unknown; expected: string }) {
    super(
      "FS_SFN_BAD_OPTION",
      `Invalid Step Functions option '${facts.option}': ${JSON.stringify(facts.value)}. Give ${facts.expected}.`,
      { exitCode: 2 },
    );
  }
}

/** A step's `resources` that no Fargate job can have: more than 16 vCPUs or 120 GiB, or a GPU. */
export class FargateResourcesError extends FlowshipError {
  constructor(facts: {
    what: "cpu" | "memory" | "gpu";
    value: number;
    flow: string;
    step: string;
  }) {
    const limit = {
      cpu: "Fargate runs at most 16 vCPUs",
      memory: "Fargate runs at most 122880 MiB (120 GiB)",
      gpu: "Fargate has no GPUs",
    }[facts.what];
    super(
      facts.what === "gpu" ? "FS_SFN_FARGATE_GPU" : "FS_SFN_FARGATE_TOO_BIG",
      `Resources Fargate cannot run in ${where(facts.flow, facts.step)}: '${facts.what}: ${facts.value}' (${limit}). ${facts.what === "gpu" ? "Drop gpu from" : `Lower ${facts.what} in`} resources(), or deploy to an EC2 compute environment with 'flowship configure aws --compute ec2'.`,
    );
  }
}
