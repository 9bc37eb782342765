/**
 * What a Batch container is told, through its environment: by the job definition (where the code
 * and the datastore are) and by the state machine (which run, step and task). Every
 * missing variable is reported at once.
 */
import { FlowshipError } from "../../errors.js";
import type { StepDecorator } from "../../flow/decorators.js";
import { JOB_DEFINITION_ENV, TASK_ENV } from "../compile/task-environment.js";
import { ALERT_ENV, parseAlertSettings, type StepAlertSettings } from "./step-alert.js";

export interface BatchEnvironment {
  flow: string;
  codePackageUrl: string;
  codePackageSha256: string;
  datastoreRoot: string;
  runId: string;
  step: string;
  taskId: string;
  /** JSON text of the execution's parameters (start step only). */
  parameters?: string;
  /** The fire time a schedule or backfill gave the execution (start step only; "" for none). */
  scheduledTime?: string;
  /** The resume job of a resume with a fix: the run whose successful tasks it clones. */
  resumeOrigin?: string;
  /** Set when the deployment alerts on errors: a failing step sends its own alert. */
  alert?: StepAlertSettings;
  fallback: boolean;
  fallbackError?: string;
  /** Foreach steps: how the deployment runs the body and how many items it may have. */
  foreach?: { mode: "inline" | "distributed"; maxWidth: number };
  /**
   * Set when a local run (`run --with batch`) orchestrates the task: its attempt number and the
   * step's decorators as that run computed them; the run, not the task, records the run's end.
   */
  local?: { attempt: number; decorators: StepDecorator[]; liveLogSeconds?: number };
}

export class BatchEnvironmentError extends FlowshipError {}

export function readBatchEnvironment(env: Record<string, string | undefined>): BatchEnvironment {
  const required = {
    ...JOB_DEFINITION_ENV,
    runId: TASK_ENV.runId,
    step: TASK_ENV.step,
    taskId: TASK_ENV.taskId,
  };
  const missing = Object.values(required).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new BatchEnvironmentError(
      "FS_BATCH_ENVIRONMENT",
      `Missing environment variable${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: 'flowship batch-task' runs inside a Batch job started by a flowship state machine.`,
    );
  }
  const maxWidth = env[TASK_ENV.foreachMaxWidth];
  const mode = env[TASK_ENV.foreachMode];
  if (
    maxWidth !== undefined &&
    (!/^[1-9][0-9]*$/.test(maxWidth) || (mode !== "inline" && mode !== "distributed"))
  ) {
    throw new BatchEnvironmentError(
      "FS_BATCH_ENVIRONMENT",
      `Invalid ${TASK_ENV.foreachMaxWidth} '${maxWidth}' or ${TASK_ENV.foreachMode} '${mode}': the state machine sets a whole number and inline or distributed.`,
    );
  }
  return {
    ...(env.FLOWSHIP_ORCHESTRATOR === "local" ? { local: localOrchestration(env) } : {}),
    ...(maxWidth !== undefined
      ? { foreach: { mode: mode as "inline" | "distributed", maxWidth: Number(maxWidth) } }
      : {}),
    flow: env[JOB_DEFINITION_ENV.flow]!,
    codePackageUrl: env[JOB_DEFINITION_ENV.codePackageUrl]!,
    codePackageSha256: env[JOB_DEFINITION_ENV.codePackageSha256]!,
    datastoreRoot: env[JOB_DEFINITION_ENV.datastoreRoot]!,
    runId: env[TASK_ENV.runId]!,
    step: env[TASK_ENV.step]!,
    taskId: env[TASK_ENV.taskId]!,
    ...(env[TASK_ENV.parameters] !== undefined ? { parameters: env[TASK_ENV.parameters] } : {}),
    ...(env[TASK_ENV.scheduledTime] ? { scheduledTime: env[TASK_ENV.scheduledTime] } : {}),
    ...(env[TASK_ENV.resumeOrigin] !== undefined ? { resumeOrigin: env[TASK_ENV.resumeOrigin] } : {}),
    ...(parseAlertSettings(env[ALERT_ENV]) ? { alert: parseAlertSettings(env[ALERT_ENV])! } : {}),
    fallback: env[TASK_ENV.fallback] === "1",
    ...(env[TASK_ENV.fallbackError] ? { fallbackError: env[TASK_ENV.fallbackError] } : {}),
  };
}

function localOrchestration(env: Record<string, string | undefined>): NonNullable<BatchEnvironment["local"]> {
  const attempt = Number(env[TASK_ENV.attempt]);
  let decorators: unknown;
  try {
    decorators = JSON.parse(env.FLOWSHIP_DECORATORS ?? "[]");
  } catch {
    decorators = undefined;
  }
  if (!Number.isSafeInteger(attempt) || attempt < 0 || !Array.isArray(decorators)) {
    throw new BatchEnvironmentError(
      "FS_BATCH_ENVIRONMENT",
      `Invalid ${TASK_ENV.attempt} '${env[TASK_ENV.attempt]}' or FLOWSHIP_DECORATORS for a task of a local run: the run sets a whole number and a JSON list.`,
    );
  }
  // Seconds between uploads of the task's new output lines, which the run prints as they come.
  const live = Number(env.FLOWSHIP_LIVE_LOG_INTERVAL);
  return {
    attempt,
    decorators: decorators as StepDecorator[],
    ...(Number.isFinite(live) && live > 0 ? { liveLogSeconds: live } : {}),
  };
}
