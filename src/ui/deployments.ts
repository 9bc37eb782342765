/** The deployments of a flow as the UI shows them: from their notes in the datastore, with the next fire times. */

import { readDeploymentRecords } from "../aws/deploy/deployment-record.js";
import { schedulePlan } from "../aws/schedule/schedule-plan.js";
import type { Storage } from "../datastore/storage.js";
import type { DeploymentView } from "./views.js";

/** Fire times listed per schedule. */
const NEXT_FIRES = 3;

export async function readDeployments(storage: Storage, flow: string): Promise<DeploymentView[]> {
  const records = await readDeploymentRecords(storage, flow);
  return records.map((record) => {
    let schedule: DeploymentView["schedule"];
    if (record.schedule) {
      const fields = /^cron\((.*)\)$/.exec(record.schedule.expression)?.[1] ?? "";
      let next: string[] = [];
      try {
        next = schedulePlan({
          kind: "schedule",
          options: { cron: fields, timezone: record.schedule.timezone },
        }).next(NEXT_FIRES);
      } catch {
        // A note written by a newer flowship, with a schedule this one cannot read: shown without times.
      }
      schedule = { ...record.schedule, next };
    }
    return {
      name: record.name,
      version: record.version,
      namespace: record.namespace,
      deployedAt: record.deployedAt,
      deployedBy: record.deployedBy,
      ...(schedule ? { schedule } : {}),
    };
  });
}
