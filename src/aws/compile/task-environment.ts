/**
 * The environment variables a Batch task of a flow receives: which run, step, task and attempt
 * it is. The Batch entrypoint reads exactly these names; the job definition adds where the code
 * and the datastore are.
 */
import { ref, statesFormat } from "../asl/intrinsics.js";
import type { JsonObject } from "../asl/json.js";
import { StepFunctionsNameError } from "./errors.js";

/** Set per task by the state machine (in `ContainerOverrides.Environment`). */
export const TASK_ENV = {
  /** `sfn-<execution name>`. */
  runId: "FLOWSHIP_RUN_ID",
  step: "FLOWSHIP_STEP",
  /** "0" outside any foreach, else the foreach indices joined with "." (e.g. "1.2"). */
  taskId: "FLOWSHIP_TASK_ID",
  /**
   * The state's retry count, for diagnostics only: it counts Batch throttling retries too, so the
   * runtime numbers attempts from the datastore instead.
   */
  attempt: "FLOWSHIP_ATTEMPT",
  /** Start step only: the JSON text of the parameters given to the execution, "{}" if none. */
  parameters: "FLOWSHIP_PARAMETERS",
  /** Start step only: the fire time a schedule or backfill gave the execution, "" if none. */
  scheduledTime: "FLOWSHIP_SCHEDULED_TIME",
  /** The resume job only: the run whose successful tasks it clones (`sfn-…`). */
  resumeOrigin: "FLOWSHIP_RESUME_ORIGIN",
  /** Foreach steps only: most items the foreach may have in this deployment. */
  foreachMaxWidth: "FLOWSHIP_FOREACH_MAX_WIDTH",
  /** Foreach steps only: "inline" or "distributed", how the deployment runs the foreach's body. */
  foreachMode: "FLOWSHIP_FOREACH_MODE",
  /** "1" when the task only records the failure of a step with `catchError`. */
  fallback: "FLOWSHIP_FALLBACK",
  /** With `FLOWSHIP_FALLBACK`: the Step Functions error name, e.g. `States.TaskFailed`. */
  fallbackError: "FLOWSHIP_FALLBACK_ERROR",
} as const;

/** Set once for the flow by the Batch job definition. */
export const JOB_DEFINITION_ENV = {
  codePackageUrl: "FLOWSHIP_CODE_PACKAGE_URL",
  codePackageSha256: "FLOWSHIP_CODE_PACKAGE_SHA256",
  datastoreRoot: "FLOWSHIP_DATASTORE_ROOT",
  flow: "FLOWSHIP_FLOW",
} as const;

/** Names that would leak credentials into a definition that anyone with read access can see. */
const CREDENTIAL_NAMES = new Set(["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"]);
const RESERVED_NAMES = new Set<string>([...Object.values(TASK_ENV), ...Object.values(JOB_DEFINITION_ENV)]);

/** One entry of `ContainerOverrides.Environment`: a fixed value or a path/intrinsic (`Value.$`). */
export type EnvironmentEntry = JsonObject;

export function fixedEnv(name: string, value: string): EnvironmentEntry {
  return { Name: name, Value: value };
}

export function dynamicEnv(name: string, expression: string): EnvironmentEntry {
  return { Name: name, "Value.$": expression };
}

/**
 * Where a state finds the name of the execution that started the run: the context object at the
 * top and in inline Map iterations (they share their execution's name), the state input inside a
 * Distributed Map, whose child executions have names of their own.
 */
export const EXECUTION_NAME = { context: "$$.Execution.Name", input: "$.runName" } as const;
export type ExecutionNamePath = (typeof EXECUTION_NAME)[keyof typeof EXECUTION_NAME];

/** The run id, `sfn-<name of the execution that started the run>`. */
export function runIdEnv(executionName: ExecutionNamePath): EnvironmentEntry {
  return dynamicEnv(TASK_ENV.runId, statesFormat("sfn-", ref(executionName)));
}

/**
 * The attempt, from `$$.State.RetryCount`, a number that Batch would reject; `States.Format`
 * makes it a string.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html#contextobject-format
 */
export const ATTEMPT_ENV = dynamicEnv(TASK_ENV.attempt, statesFormat(ref("$$.State.RetryCount")));

/**
 * Checks the variables of an `environment` decorator: they must not replace flowship's own,
 * Batch's (`AWS_BATCH_*`), or carry AWS credentials.
 */
export function checkUserEnvironment(
  vars: Record<string, string>,
  where: { flow: string; step: string },
): void {
  for (const name of Object.keys(vars)) {
    const rule = CREDENTIAL_NAMES.has(name)
      ? "AWS credentials never go into a state machine definition"
      : RESERVED_NAMES.has(name)
        ? "flowship sets this variable itself"
        : name.startsWith("AWS_BATCH_")
          ? "AWS Batch reserves names starting with AWS_BATCH_"
          : undefined;
    if (rule !== undefined) {
      throw new StepFunctionsNameError({
        kind: "environment variable",
        name,
        rule,
        ...where,
        remedy: CREDENTIAL_NAMES.has(name)
          ? "Grant the permissions to the Batch job role instead"
          : "Rename the variable in the environment decorator",
      });
    }
  }
}
