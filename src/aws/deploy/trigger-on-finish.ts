/**
 * `triggerOnFinish` on AWS: an EventBridge rule on the default bus matching "Step Functions
 * Execution Status Change" events with status SUCCEEDED from the upstream flows' state machines,
 * whose one target starts this flow's production alias with no parameters. Deploying the flow
 * without the decorator deletes the rule.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html
 */
import type { FlowSpec } from "../../flow/types.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import type { EventsDeployClient } from "./events-client.js";
import {
  type DeployTarget,
  machineArn,
  siblingMachineName,
  TRIGGER_TARGET_ID,
  triggerRuleName,
} from "./resource-names.js";
import { UNATTENDED_INPUT } from "./schedule.js";

/** The flows whose success starts this one. */
export function upstreamFlows(flow: FlowSpec): string[] {
  const names = flow.decorators.flatMap((d) => (d.kind === "triggerOnFinish" ? [d.options.flow] : []));
  return [...new Set(names)];
}

/** The rule's event pattern: a run of any upstream state machine succeeded. */
export function finishPattern(target: DeployTarget, upstream: readonly string[]): Record<string, unknown> {
  return {
    source: ["aws.states"],
    "detail-type": ["Step Functions Execution Status Change"],
    detail: {
      status: ["SUCCEEDED"],
      // Within a project, the upstream flow of this same branch: a test branch never starts production's.
      stateMachineArn: upstream.map((flow) => machineArn(target, siblingMachineName(target, flow))),
    },
  };
}

export interface DeployedTrigger {
  rule: string;
  upstream: string[];
}

/** Creates or replaces the rule and its target (PutRule and PutTargets are both upserts). */
export async function applyTriggerOnFinish(options: {
  events: EventsDeployClient;
  target: DeployTarget;
  upstream: string[];
  role: string;
}): Promise<DeployedTrigger> {
  const { target } = options;
  const rule = triggerRuleName(target.name);
  await options.events.putRule({
    Name: rule,
    EventPattern: JSON.stringify(finishPattern(target, options.upstream)),
    State: "ENABLED",
    Description: fitDescription(
      `flowship: starts flow ${target.flow} when ${options.upstream.join(" or ")} succeeds`,
      DESCRIPTION_LIMITS.eventRule,
    ),
  });
  await options.events.putTargets({
    Rule: rule,
    Targets: [
      { Id: TRIGGER_TARGET_ID, Arn: target.aliasArn, RoleArn: options.role, Input: UNATTENDED_INPUT },
    ],
  });
  return { rule, upstream: options.upstream.map((flow) => siblingMachineName(target, flow)) };
}

/** Deletes the rule and its target; false when there was none. */
export async function removeTriggerOnFinish(
  events: EventsDeployClient,
  target: DeployTarget,
): Promise<boolean> {
  const rule = triggerRuleName(target.name);
  if (!(await events.removeTargets(rule, [TRIGGER_TARGET_ID]))) return false;
  return events.deleteRule(rule);
}
