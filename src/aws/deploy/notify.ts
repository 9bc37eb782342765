/**
 * Alerts for production runs (`step-functions create --notify-on-error [--notify-on-success]`),
 * to an SNS topic (email, SMS, AWS Chatbot for Slack and Teams, PagerDuty all subscribe to SNS),
 * a webhook (notify-webhook.ts), or both. Two EventBridge rules on the default bus:
 *
 * - the step alert rule matches the event a failing step puts on the bus itself (aws/batch/
 *   step-alert.ts): its text names the step, the first line of its error and the command that
 *   resumes the run with a fix;
 * - the run rule matches this state machine's "Step Functions Execution Status Change" events of
 *   the chosen statuses, except a failure whose failed job exited with ALERTED_EXIT (its step's
 *   alert went out): the backstop for runs that failed without a step saying why — a task that
 *   died, a job that never started, a timeout, an abort.
 *
 * Input transformers make each event one readable line; the webhook gets it as `text` of a JSON
 * body, beside the facts as fields. Deploying without the flags deletes the rules and the
 * webhook's resources, and so does `delete`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import type { Target } from "@aws-sdk/client-eventbridge";
import { ALERTED_EXIT, STEP_ALERT_EVENT } from "../batch/step-alert.js";
import { EVENT_SOURCE } from "../events/send-event.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import type { EventsDeployClient } from "./events-client.js";
import {
  type ApplyWebhookOptions,
  applyWebhook,
  removeWebhook,
  shownWebhook,
  WEBHOOK_TARGET_ID,
  type WebhookChoice,
} from "./notify-webhook.js";
import { type DeployTarget, notifyRuleName, stepAlertRuleName } from "./resource-names.js";

/** What alerts, and where to: an SNS topic, a webhook, or both. */
export interface NotifyChoice {
  onError: boolean;
  onSuccess: boolean;
  snsTopic?: string;
  webhook?: WebhookChoice;
}

/** The id of the notify rule's SNS target. */
export const NOTIFY_TARGET_ID = "flowship-notify";

/** Execution statuses that alert. */
export function notifyStatuses(choice: Pick<NotifyChoice, "onError" | "onSuccess">): string[] {
  return [
    ...(choice.onError ? ["FAILED", "TIMED_OUT", "ABORTED"] : []),
    ...(choice.onSuccess ? ["SUCCEEDED"] : []),
  ];
}

/**
 * The run rule's event pattern: a run of this state machine (any version or alias) ended so — a
 * failure only when its step did not alert: the failure's cause (the failed Batch job's
 * description) does not hold its exit code ALERTED_EXIT, or there is no cause to read.
 */
export function notifyPattern(target: DeployTarget, statuses: readonly string[]): Record<string, unknown> {
  const others = statuses.filter((s) => s !== "FAILED");
  const failed = statuses.includes("FAILED")
    ? [
        { status: ["FAILED"], cause: [{ "anything-but": { wildcard: `*"ExitCode":${ALERTED_EXIT}*` } }] },
        // No cause to read: alert, a second message rather than none.
        { status: ["FAILED"], cause: [{ exists: false }] },
        { status: ["FAILED"], cause: [null] },
      ]
    : [];
  const cases = [...(others.length > 0 ? [{ status: others }] : []), ...failed];
  return {
    source: ["aws.states"],
    "detail-type": ["Step Functions Execution Status Change"],
    detail: {
      stateMachineArn: [target.stateMachineArn],
      ...(cases.length === 1 ? cases[0] : { $or: cases }),
    },
  };
}

/** The step alert rule's pattern: the alert of a failing step of this state machine. */
export function stepAlertPattern(target: DeployTarget): Record<string, unknown> {
  return {
    source: [EVENT_SOURCE],
    "detail-type": [STEP_ALERT_EVENT],
    detail: { payload: { state_machine_arn: [target.stateMachineArn] } },
  };
}

/** Values the step alert's transformers pick from its payload (fields of aws/batch/step-alert.ts). */
const STEP_ALERT_VALUES = {
  text: "$.detail.payload.text",
  run: "$.detail.payload.run_id",
  step: "$.detail.payload.step",
  error: "$.detail.payload.error",
  resume: "$.detail.payload.resume_command",
  arn: "$.detail.payload.execution_arn",
  time: "$.time",
};

/** The step alert as SNS sends it: its text, which the failing task wrote template-safe. */
export function stepAlertInputTransformer() {
  return { InputPathsMap: { text: STEP_ALERT_VALUES.text }, InputTemplate: '"<text>"' };
}

/** The step alert as the webhook gets it: `text`, and the facts as fields. */
export function stepAlertWebhookTransformer(target: DeployTarget) {
  return {
    InputPathsMap: STEP_ALERT_VALUES,
    InputTemplate: JSON.stringify({
      text: "<text>",
      flow: target.flow,
      state_machine: target.name,
      run_id: "<run>",
      status: "FAILED",
      step: "<step>",
      error: "<error>",
      resume_command: "<resume>",
      time: "<time>",
      execution_arn: "<arn>",
    }),
  };
}

/** Values the transformers pick from the event, by their placeholder names. */
const EVENT_VALUES = {
  execution: "$.detail.name",
  status: "$.detail.status",
  time: "$.time",
  region: "$.region",
  arn: "$.detail.executionArn",
};

/** The alert's one line, with `<placeholders>` of {@link EVENT_VALUES} (`<step>` is left for the reader). */
function notifyMessage(target: DeployTarget, flowFile: string): string {
  return (
    `flowship: run sfn-<execution> of flow ${target.flow} (state machine ${target.name}) ended <status> at <time>. ` +
    `Why: npx flowship ${flowFile} step-functions list-runs --failed, then npx flowship ${flowFile} logs sfn-<execution>/<step> --stderr. ` +
    "Console: https://<region>.console.aws.amazon.com/states/home?region=<region>#/v2/executions/details/<arn>"
  );
}

/**
 * The SNS target's input transformer. The template is a JSON string, so SNS delivers plain text;
 * the values put in it hold no double quote.
 */
export function notifyInputTransformer(target: DeployTarget, flowFile: string) {
  return { InputPathsMap: EVENT_VALUES, InputTemplate: JSON.stringify(notifyMessage(target, flowFile)) };
}

/**
 * The webhook's input transformer: a JSON object whose `text` is the message (what Slack,
 * Mattermost and Google Chat post), with the facts as fields for anything that reads them.
 */
export function webhookInputTransformer(target: DeployTarget, flowFile: string) {
  return {
    InputPathsMap: EVENT_VALUES,
    InputTemplate: JSON.stringify({
      text: notifyMessage(target, flowFile),
      flow: target.flow,
      state_machine: target.name,
      run_id: "sfn-<execution>",
      status: "<status>",
      time: "<time>",
      execution_arn: "<arn>",
    }),
  };
}

export interface DeployedNotify {
  rule: string;
  statuses: string[];
  /** Where alerts go, as messages may show it (a webhook by its origin only). */
  destinations: string[];
}

/** The destinations of a choice as messages may show them. */
function destinations(choice: NotifyChoice): string[] {
  return [
    ...(choice.snsTopic ? [choice.snsTopic] : []),
    ...(choice.webhook ? [shownWebhook(choice.webhook)] : []),
  ];
}

/**
 * Creates or replaces the rules and their targets (PutRule and PutTargets are both upserts), and
 * removes the destination a previous deploy had and this one has not; the step alert rule exists
 * only with `--notify-on-error`.
 */
export async function applyNotify(
  options: Omit<ApplyWebhookOptions, "choice"> & { choice: NotifyChoice; flowFile: string; role?: string },
): Promise<DeployedNotify> {
  const { events, target, choice } = options;
  const rule = notifyRuleName(target.name);
  const statuses = notifyStatuses(choice);
  // EventBridge invokes an API destination as the events role (events:InvokeApiDestination).
  const webhookArn = choice.webhook ? await applyWebhook({ ...options, choice: choice.webhook }) : undefined;
  const targets = (sns: Target["InputTransformer"], webhook: Target["InputTransformer"]): Target[] => [
    ...(choice.snsTopic ? [{ Id: NOTIFY_TARGET_ID, Arn: choice.snsTopic, InputTransformer: sns }] : []),
    ...(webhookArn
      ? [{ Id: WEBHOOK_TARGET_ID, Arn: webhookArn, RoleArn: options.role, InputTransformer: webhook }]
      : []),
  ];
  const shown = destinations(choice).join(" and ");
  await putRule(events, rule, {
    pattern: notifyPattern(target, statuses),
    description: `flowship: alerts ${shown} when a run of flow ${target.flow} ends ${statuses.join(", ")}`,
    targets: targets(
      notifyInputTransformer(target, options.flowFile),
      webhookInputTransformer(target, options.flowFile),
    ),
    choice,
  });
  const stepRule = stepAlertRuleName(target.name);
  if (choice.onError) {
    await putRule(events, stepRule, {
      pattern: stepAlertPattern(target),
      description: `flowship: alerts ${shown} with the step and error when a step of flow ${target.flow} fails`,
      targets: targets(stepAlertInputTransformer(), stepAlertWebhookTransformer(target)),
      choice,
    });
  } else {
    await removeRule(events, stepRule);
  }
  if (!choice.webhook) await removeWebhook(events, target);
  return { rule, statuses, destinations: destinations(choice) };
}

async function putRule(
  events: EventsDeployClient,
  rule: string,
  spec: { pattern: Record<string, unknown>; description: string; targets: Target[]; choice: NotifyChoice },
): Promise<void> {
  await events.putRule({
    Name: rule,
    EventPattern: JSON.stringify(spec.pattern),
    State: "ENABLED",
    Description: fitDescription(spec.description, DESCRIPTION_LIMITS.eventRule),
  });
  await events.putTargets({ Rule: rule, Targets: spec.targets });
  if (!spec.choice.snsTopic) await events.removeTargets(rule, [NOTIFY_TARGET_ID]);
  if (!spec.choice.webhook) await events.removeTargets(rule, [WEBHOOK_TARGET_ID]);
}

/** Deletes a rule and its targets; false when there was none. */
async function removeRule(events: EventsDeployClient, rule: string): Promise<boolean> {
  const hadRule = await events.removeTargets(rule, [NOTIFY_TARGET_ID, WEBHOOK_TARGET_ID]);
  if (hadRule) await events.deleteRule(rule);
  return hadRule;
}

/** Deletes the rules, their targets and the webhook's resources; false when there were none. */
export async function removeNotify(events: EventsDeployClient, target: DeployTarget): Promise<boolean> {
  const hadRule = await removeRule(events, notifyRuleName(target.name));
  const hadStepRule = await removeRule(events, stepAlertRuleName(target.name));
  const hadWebhook = await removeWebhook(events, target);
  return hadRule || hadStepRule || hadWebhook;
}
