/**
 * What starts a deployed flow and what it alerts: the schedule, the triggerOnFinish rule, the
 * event rules and the alert rule, each made to match the flow's decorators and the deploy's flags —
 * created, replaced, or deleted when a redeploy no longer has it.
 */
import type { DeployFlowOptions, DeployPlan, DeployResult } from "./deploy-types.js";
import type { Deployment } from "./deployment.js";
import { applyEventTriggers } from "./event-triggers.js";
import { applyNotify, removeNotify } from "./notify.js";
import { applySchedule, removeSchedule } from "./schedule.js";
import { applyTriggerOnFinish, removeTriggerOnFinish } from "./trigger-on-finish.js";

/** Makes the schedule, the triggerOnFinish rule and the alerts match the flow and the flags: created, replaced or deleted. */
export async function applyTriggers(
  options: DeployFlowOptions,
  plan: DeployPlan,
  existing: Deployment | undefined,
): Promise<
  Pick<DeployResult, "schedule" | "triggerOnFinish" | "notify" | "notifyRemoved" | "eventTriggers">
> {
  const { clients, target, settings } = options;
  const redeploy = existing !== undefined;
  const triggers: Pick<
    DeployResult,
    "schedule" | "triggerOnFinish" | "notify" | "notifyRemoved" | "eventTriggers"
  > = {};
  if (plan.eventTriggers.length > 0 || redeploy) {
    const deployed = await applyEventTriggers({
      events: clients.events,
      target,
      triggers: plan.eventTriggers,
      previousBuses: existing?.metadata.eventBuses ?? [],
      ...(settings.eventsRole ? { role: settings.eventsRole } : {}),
    });
    if (deployed.length > 0) triggers.eventTriggers = deployed;
  }
  if (plan.schedule) {
    triggers.schedule = await applySchedule({
      scheduler: clients.scheduler,
      target,
      plan: plan.schedule,
      role: settings.schedulerRole!,
      now: options.now ?? new Date(),
    });
  } else if (redeploy) {
    await removeSchedule(clients.scheduler, target);
  }
  if (plan.upstream.length > 0) {
    triggers.triggerOnFinish = await applyTriggerOnFinish({
      events: clients.events,
      target,
      upstream: plan.upstream,
      role: settings.eventsRole!,
    });
  } else if (redeploy) {
    await removeTriggerOnFinish(clients.events, target);
  }
  if (options.notify) {
    triggers.notify = await applyNotify({
      events: clients.events,
      target,
      choice: options.notify,
      flowFile: options.compiled.source,
      ...(settings.eventsRole ? { role: settings.eventsRole } : {}),
      ...(options.sleep ? { sleep: options.sleep } : {}),
    });
  } else if (redeploy && (await removeNotify(clients.events, target))) {
    // A later create without --notify-* drops the alerts: said, since nothing else would show it.
    triggers.notifyRemoved = true;
  }
  return triggers;
}
