/**
 * The alert a failing step sends itself (`step-functions create --notify-on-error`): only the task
 * knows which step failed and why, and the Step Functions event the execution-level alert is made
 * of carries neither. On its last attempt, when no `catchError` takes the failure, the task puts
 * one event on the default bus; the deployment's step alert rule (aws/deploy/notify.ts) sends its
 * text to the SNS topic and the webhook. Once it is sent the job exits with ALERTED_EXIT, which the
 * execution's failure carries (its cause is the failed job's description): the execution-level
 * rule skips such failures, so one failure makes one message, and alerts for every other failure —
 * a task that died without a word, a job that never started, a timeout.
 */
import { sdkRegion } from "../../config.js";

/** Set by the job definition of a deployment with `--notify-on-error`: JSON {@link StepAlertSettings}. */
export const ALERT_ENV = "FLOWSHIP_ALERT";

/** The `detail-type` of a step's alert; its `detail` is `{"payload": StepAlert}`. */
export const STEP_ALERT_EVENT = "flowship.step-failed";

/**
 * The exit code of a Batch job whose step failed and sent its alert. Batch records it in the job's
 * description, which Step Functions puts in the execution's failure cause as `"ExitCode":204`.
 */
export const ALERTED_EXIT = 204;

/** What the job definition tells tasks about alerts (FLOWSHIP_ALERT, JSON). */
export interface StepAlertSettings {
  /** The deployment's state machine. */
  stateMachineArn: string;
  /** The flow file as the deployer named it, for the commands in the text. */
  flowFile: string;
  /** Options that choose the deployment on the command line (`--name X`), if any. */
  targetOptions?: string;
}

/** The facts of one alert, as the event's payload carries them. */
export interface StepAlert {
  text: string;
  flow: string;
  state_machine_arn: string;
  run_id: string;
  step: string;
  task: string;
  error: string;
  resume_command: string;
  execution_arn: string;
}

/** Characters of the error's first line an alert keeps. */
const ERROR_CHARS = 300;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]+/g;

/**
 * Text safe in an EventBridge input template's JSON string: no double quotes, backslashes or
 * control characters (the template is filled in without escaping).
 */
function templateSafe(text: string): string {
  return text.replace(/"/g, "'").replace(/\\/g, "/").replace(CONTROL_CHARACTERS, " ");
}

/**
 * The first line of an error that says something (a message may start `Error: ` and go on on the
 * next line), template-safe and cut at ERROR_CHARS code points, so no surrogate pair is split.
 */
export function firstLine(error: string): string {
  const lines = error
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");
  // A bare type such as "Error:" is joined with the line that says what went wrong.
  const [head = "", next] = lines;
  const line = templateSafe(/^[\w.$]+:$/.test(head) && next !== undefined ? `${head} ${next}` : head);
  const chars = Array.from(line);
  return chars.length > ERROR_CHARS ? `${chars.slice(0, ERROR_CHARS - 1).join("")}…` : line;
}

/** Characters a shell reads as part of a word as they are; a path with any other is quoted. */
const SHELL_PLAIN = /^[\w@%+=:,./-]+$/;

/** The flow file as one shell word: as it is when plain, else in single quotes. */
function shellWord(text: string): string {
  return SHELL_PLAIN.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The alert of a failed step: the step, the error's first line and the command that resumes with a fix. */
export function stepAlert(
  settings: StepAlertSettings,
  facts: { flow: string; runId: string; step: string; taskId: string; error: string },
): StepAlert {
  const arn = settings.stateMachineArn;
  const [, partition = "aws", , region = "", account = "", , machine = ""] = arn.split(":");
  const executionArn = `arn:${partition}:states:${region}:${account}:execution:${machine}:${facts.runId.replace(/^sfn-/, "")}`;
  const cli = `npx flowship ${shellWord(settings.flowFile)}`;
  const target = settings.targetOptions ? ` ${settings.targetOptions}` : "";
  // Template-safe like the text: the webhook's input template puts it in a JSON string as it is.
  const resume = templateSafe(`${cli} step-functions resume --origin-run-id ${facts.runId}${target}`);
  const error = firstLine(facts.error);
  const text = templateSafe(
    `flowship: run ${facts.runId} of flow ${facts.flow} (state machine ${machine}) FAILED at step ${facts.step} (task ${facts.step}/${facts.taskId}): ${error}. ` +
      `Resume it with a fix: ${resume}. ` +
      `Its output: ${cli} logs ${facts.runId}/${facts.step}/${facts.taskId} --stderr. ` +
      `Console: https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`,
  );
  return {
    text,
    flow: facts.flow,
    state_machine_arn: arn,
    run_id: facts.runId,
    step: facts.step,
    task: `${facts.step}/${facts.taskId}`,
    error,
    resume_command: resume,
    execution_arn: executionArn,
  };
}

/** Reads FLOWSHIP_ALERT; undefined when the deployment has no error alerts (or it is unreadable). */
export function parseAlertSettings(text: string | undefined): StepAlertSettings | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as StepAlertSettings;
    return typeof value.stateMachineArn === "string" && typeof value.flowFile === "string"
      ? value
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Puts the alert on the default bus; true once EventBridge accepted it. A failure to send is
 * printed and otherwise ignored: the execution-level alert then tells of the failure.
 */
export async function sendStepAlert(alert: StepAlert, print: (line: string) => void): Promise<boolean> {
  const region = sdkRegion() ?? alert.state_machine_arn.split(":")[3] ?? "";
  try {
    // The EventBridge client loads only when a step fails in a deployment with alerts.
    const { sendEvent } = await import("../events/send-event.js");
    await sendEvent({ event: STEP_ALERT_EVENT, payload: alert, bus: "default", region });
    print(`[${alert.run_id}/${alert.task}] alert sent: step ${alert.step} failed`);
    return true;
  } catch (error) {
    print(
      `[${alert.run_id}/${alert.task}] the step's alert was not sent (${(error as Error).message}); the run's own alert tells of it`,
    );
    return false;
  }
}
