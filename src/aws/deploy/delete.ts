/**
 * `step-functions delete`: removes a deployment — its schedule, its triggerOnFinish, event and alert rules, then
 * the state machine with its versions and alias. Running executions go on; Batch job definitions,
 * code packages and the runs' data stay.
 */
import type { Storage } from "../../datastore/storage.js";
import { authorize, type DeployClients, requireDeployment } from "./deployment.js";
import { removeDeploymentRecord } from "./deployment-record.js";
import { removeEventRules } from "./event-triggers.js";
import { removeNotify } from "./notify.js";
import type { DeployTarget } from "./resource-names.js";
import { removeSchedule } from "./schedule.js";
import { removeTriggerOnFinish } from "./trigger-on-finish.js";

export interface DeleteResult {
  scheduleDeleted: boolean;
  triggerDeleted: boolean;
  notifyDeleted: boolean;
  /** Event rules (`trigger`) deleted. */
  eventRulesDeleted: number;
}

export async function deleteDeployment(options: {
  clients: DeployClients;
  target: DeployTarget;
  user: string;
  authorize?: string;
  /** The deployments' datastore, whose note of this deployment goes too. */
  storage?: Storage;
}): Promise<DeleteResult> {
  const { clients, target } = options;
  const deployment = await requireDeployment(clients.sfn, target);
  authorize(deployment, { ...options, action: "delete" });
  // Triggers first: a schedule left behind would keep starting a state machine that is gone.
  const scheduleDeleted = await removeSchedule(clients.scheduler, target);
  const triggerDeleted = await removeTriggerOnFinish(clients.events, target);
  const notifyDeleted = await removeNotify(clients.events, target);
  const eventRulesDeleted = await removeEventRules(
    clients.events,
    target,
    new Set(["default", ...(deployment.metadata.eventBuses ?? [])]),
  );
  await clients.sfn.deleteStateMachine(target.stateMachineArn);
  // The note is only a reader's convenience: a failure to remove it does not undo the delete.
  if (options.storage) {
    await removeDeploymentRecord(options.storage, deployment.metadata.flow, target.name).catch(
      () => undefined,
    );
  }
  return { scheduleDeleted, triggerDeleted, notifyDeleted, eventRulesDeleted };
}
