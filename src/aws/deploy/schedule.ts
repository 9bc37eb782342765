/**
 * A flow's `schedule` on AWS: an EventBridge Scheduler schedule `flowship-<state machine>` that
 * starts the production alias in the schedule's time zone, with no parameters (so every
 * parameter's default applies). Deploying the flow without the decorator deletes the schedule.
 *
 * The target is Scheduler's universal target for Step Functions' StartExecution, whose
 * `stateMachineArn` documentedly accepts an alias ARN; the templated Step Functions target
 * documents only state machine ARNs.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html
 * @see https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
import type { CreateScheduleCommandInput } from "@aws-sdk/client-scheduler";
import type { SchedulePlan } from "../schedule/schedule-plan.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import { type DeployTarget, scheduleName } from "./resource-names.js";
import type { SchedulerDeployClient } from "./scheduler-client.js";

/** The input of an execution started by a schedule or a rule: no parameters given. */
export const UNATTENDED_INPUT = JSON.stringify({ Parameters: "{}" });

/**
 * The input of an execution the schedule starts: no parameters, and the fire time, which
 * Scheduler puts in place of its context attribute (`current.scheduledTime` in the steps).
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-context-attributes.html
 */
export const SCHEDULED_INPUT = JSON.stringify({
  Parameters: "{}",
  ScheduledTime: "<aws.scheduler.scheduled-time>",
});

export interface DeployedSchedule {
  name: string;
  expression: string;
  timezone: string;
  /** The next fire times (ISO), previewed locally. */
  next: string[];
}

/** The full CreateSchedule/UpdateSchedule input of a deployment's schedule. */
export function scheduleInput(
  target: DeployTarget,
  plan: SchedulePlan,
  role: string,
): CreateScheduleCommandInput {
  return {
    Name: scheduleName(target.name),
    ScheduleExpression: plan.expression,
    ScheduleExpressionTimezone: plan.timezone,
    FlexibleTimeWindow: { Mode: "OFF" },
    State: "ENABLED",
    Description: fitDescription(
      `flowship: starts flow ${target.flow} (state machine ${target.name}, alias production)`,
      DESCRIPTION_LIMITS.schedule,
    ),
    Target: {
      Arn: `arn:${target.partition}:scheduler:::aws-sdk:sfn:startExecution`,
      RoleArn: role,
      // The universal target's input is StartExecution's request, with the API's member names.
      Input: JSON.stringify({ StateMachineArn: target.aliasArn, Input: SCHEDULED_INPUT }),
    },
  };
}

/** Creates the schedule, or replaces it when it exists. */
export async function applySchedule(options: {
  scheduler: SchedulerDeployClient;
  target: DeployTarget;
  plan: SchedulePlan;
  role: string;
  now?: Date;
}): Promise<DeployedSchedule> {
  const input = scheduleInput(options.target, options.plan, options.role);
  const existing = await options.scheduler.getSchedule(input.Name!);
  if (existing) await options.scheduler.updateSchedule(input);
  else await options.scheduler.createSchedule(input);
  return {
    name: input.Name!,
    expression: options.plan.expression,
    timezone: options.plan.timezone,
    next: options.plan.next(3, options.now ?? new Date()),
  };
}

/** Deletes the deployment's schedule; false when it had none. */
export function removeSchedule(scheduler: SchedulerDeployClient, target: DeployTarget): Promise<boolean> {
  return scheduler.deleteSchedule(scheduleName(target.name));
}
