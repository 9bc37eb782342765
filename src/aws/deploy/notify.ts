/**
 * Alerts for production runs (`step-functions create --notify-on-error [--notify-on-success]`):
 * an EventBridge rule on the default bus matching this state machine's "Step Functions Execution
 * Status Change" events of the chosen statuses, whose targets are an SNS topic (email, SMS,
 * AWS Chatbot for Slack and Teams, PagerDuty all subscribe to SNS), a webhook (notify-webhook.ts),
 * or both. An input transformer makes the event one readable line: flow, run id, status, time,
 * and the commands that show why; the webhook gets it as `text` of a JSON body, beside the facts
 * as fields. Deploying without the flags deletes the rule and the webhook's resources, and so
 * does `delete`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import type { Target } from "@aws-sdk/client-eventbridge";
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
import { type DeployTarget, notifyRuleName } from "./resource-names.js";

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

/** The rule's event pattern: a run of this state machine (any version or alias) ended so. */
export function notifyPattern(target: DeployTarget, statuses: readonly string[]): Record<string, unknown> {
  return {
    source: ["aws.states"],
    "detail-type": ["Step Functions Execution Status Change"],
    detail: { status: [...statuses], stateMachineArn: [target.stateMachineArn] },
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
 * Creates or replaces the rule and its targets (PutRule and PutTargets are both upserts), and
 * removes the destination a previous deploy had and this one has not.
 */
export async function applyNotify(
  options: Omit<ApplyWebhookOptions, "choice"> & { choice: NotifyChoice; flowFile: string; role?: string },
): Promise<DeployedNotify> {
  const { events, target, choice } = options;
  const rule = notifyRuleName(target.name);
  const statuses = notifyStatuses(choice);
  const targets: Target[] = [];
  if (choice.snsTopic) {
    targets.push({
      Id: NOTIFY_TARGET_ID,
      Arn: choice.snsTopic,
      InputTransformer: notifyInputTransformer(target, options.flowFile),
    });
  }
  if (choice.webhook) {
    // EventBridge invokes an API destination as the events role (events:InvokeApiDestination).
    targets.push({
      Id: WEBHOOK_TARGET_ID,
      Arn: await applyWebhook({ ...options, choice: choice.webhook }),
      RoleArn: options.role,
      InputTransformer: webhookInputTransformer(target, options.flowFile),
    });
  }
  await events.putRule({
    Name: rule,
    EventPattern: JSON.stringify(notifyPattern(target, statuses)),
    State: "ENABLED",
    Description: fitDescription(
      `flowship: alerts ${destinations(choice).join(" and ")} when a run of flow ${target.flow} ends ${statuses.join(", ")}`,
      DESCRIPTION_LIMITS.eventRule,
    ),
  });
  await events.putTargets({ Rule: rule, Targets: targets });
  if (!choice.snsTopic) await events.removeTargets(rule, [NOTIFY_TARGET_ID]);
  if (!choice.webhook) {
    await events.removeTargets(rule, [WEBHOOK_TARGET_ID]);
    await removeWebhook(events, target);
  }
  return { rule, statuses, destinations: destinations(choice) };
}

/** Deletes the rule, its targets and the webhook's resources; false when there were none. */
export async function removeNotify(events: EventsDeployClient, target: DeployTarget): Promise<boolean> {
  const rule = notifyRuleName(target.name);
  const hadRule = await events.removeTargets(rule, [NOTIFY_TARGET_ID, WEBHOOK_TARGET_ID]);
  if (hadRule) await events.deleteRule(rule);
  const hadWebhook = await removeWebhook(events, target);
  return hadRule || hadWebhook;
}
