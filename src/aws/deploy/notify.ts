/**
 * Alerts for production runs (`step-functions create --notify-on-error [--notify-on-success]`):
 * an EventBridge rule on the default bus matching this state machine's "Step Functions Execution
 * Status Change" events of the chosen statuses, whose one target is an SNS topic (email, SMS,
 * AWS Chatbot for Slack and Teams, PagerDuty all subscribe to SNS). An input transformer makes the
 * event one readable line: flow, run id, status, time, and the commands that show why. Deploying
 * without the flags deletes the rule, and so does `delete`.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 */
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import type { EventsDeployClient } from "./events-client.js";
import { type DeployTarget, notifyRuleName } from "./resource-names.js";

export interface NotifyChoice {
  onError: boolean;
  onSuccess: boolean;
  snsTopic: string;
}

/** The id of the notify rule's one target. */
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

/**
 * The input transformer: values picked from the event, and the message built from them. The
 * template is a JSON string, so SNS delivers plain text; it holds no double quote of its own.
 */
export function notifyInputTransformer(target: DeployTarget, flowFile: string) {
  return {
    InputPathsMap: {
      execution: "$.detail.name",
      status: "$.detail.status",
      time: "$.time",
      region: "$.region",
      arn: "$.detail.executionArn",
    },
    InputTemplate: JSON.stringify(
      `flowship: run sfn-<execution> of flow ${target.flow} (state machine ${target.name}) ended <status> at <time>. ` +
        `Why: npx flowship ${flowFile} step-functions list-runs --failed, then npx flowship ${flowFile} logs sfn-<execution>/<step> --stderr. ` +
        "Console: https://<region>.console.aws.amazon.com/states/home?region=<region>#/v2/executions/details/<arn>",
    ),
  };
}

export interface DeployedNotify {
  rule: string;
  statuses: string[];
  snsTopic: string;
}

/** Creates or replaces the rule and its target (PutRule and PutTargets are both upserts). */
export async function applyNotify(options: {
  events: EventsDeployClient;
  target: DeployTarget;
  choice: NotifyChoice;
  flowFile: string;
}): Promise<DeployedNotify> {
  const { target, choice } = options;
  const rule = notifyRuleName(target.name);
  const statuses = notifyStatuses(choice);
  await options.events.putRule({
    Name: rule,
    EventPattern: JSON.stringify(notifyPattern(target, statuses)),
    State: "ENABLED",
    Description: fitDescription(
      `flowship: alerts ${choice.snsTopic} when a run of flow ${target.flow} ends ${statuses.join(", ")}`,
      DESCRIPTION_LIMITS.eventRule,
    ),
  });
  await options.events.putTargets({
    Rule: rule,
    Targets: [
      {
        Id: NOTIFY_TARGET_ID,
        Arn: choice.snsTopic,
        InputTransformer: notifyInputTransformer(target, options.flowFile),
      },
    ],
  });
  return { rule, statuses, snsTopic: choice.snsTopic };
}

/** Deletes the rule and its target; false when there was none. */
export async function removeNotify(events: EventsDeployClient, target: DeployTarget): Promise<boolean> {
  const rule = notifyRuleName(target.name);
  if (!(await events.removeTargets(rule, [NOTIFY_TARGET_ID]))) return false;
  return events.deleteRule(rule);
}
