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
    /** A name the command line gave (--name) is a usage error: exit 2. */
    given?: boolean;
  }) {
    super(
      "FS_SFN_BAD_NAME",
      `Invalid ${facts.kind} name for ${where(facts.flow, facts.step)}: '${facts.name}' (${facts.rule}). ${facts.remedy}.`,
      facts.given ? { exitCode: 2 } : {},
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

/** What of a step's `resources` Fargate cannot run. */
export interface FargateMisfit {
  step: string;
  what: "cpu" | "memory" | "gpu";
  value: number;
}

const FARGATE_LIMITS = {
  cpu: "Fargate runs at most 16 vCPUs",
  memory: "Fargate runs at most 122880 MiB (120 GiB)",
  gpu: "Fargate has no GPUs",
} as const;

/**
 * Steps whose `resources` no Fargate job can have: more than 16 vCPUs or 120 GiB, or a GPU. Every
 * such step of the flow is named, with what it asks for, in one line.
 */
export class FargateResourcesError extends FlowshipError {
  /** Every step that does not fit, in the flow's order. */
  readonly misfits: readonly FargateMisfit[];

  constructor(facts: { flow: string; misfits: readonly FargateMisfit[] }) {
    const { flow, misfits } = facts;
    const steps = [...new Set(misfits.map((m) => m.step))];
    const asks = (step: string) =>
      misfits
        .filter((m) => m.step === step)
        .map((m) => `${m.what}: ${m.value}`)
        .join(", ");
    const kinds = [...new Set(misfits.map((m) => m.what))];
    const limits = kinds.map((k) => FARGATE_LIMITS[k]).join("; ");
    const lower = kinds.filter((k) => k !== "gpu");
    const remedy = [
      ...(lower.length > 0 ? [`lower ${lower.join(" and ")}`] : []),
      ...(kinds.includes("gpu") ? ["drop gpu"] : []),
    ].join(" and ");
    const ec2 = "or deploy to an EC2 compute environment with 'flowship configure aws --compute ec2'";
    const message =
      steps.length === 1
        ? `Resources Fargate cannot run in ${where(flow, steps[0]!)}: '${asks(steps[0]!)}' (${limits}). ${remedy === "drop gpu" ? "Drop gpu from" : `${remedy.charAt(0).toUpperCase()}${remedy.slice(1)} in`} resources(), ${ec2}.`
        : `Resources Fargate cannot run in ${steps.length} steps of flow '${flow}': ${steps.map((step) => `'${step}' (${asks(step)})`).join(", ")} (${limits}). In their resources(), ${remedy}, ${ec2}.`;
    super(
      kinds.length === 1 && kinds[0] === "gpu" ? "FS_SFN_FARGATE_GPU" : "FS_SFN_FARGATE_TOO_BIG",
      message,
    );
    this.misfits = misfits;
  }
}
