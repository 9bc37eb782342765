/**
 * A note in the datastore of each deployment: `<Flow>/deployments/<state machine>.json`, written
 * by `step-functions create` and removed by `delete`. AWS holds the deployment itself; the note
 * lets readers of the datastore alone (`flowship ui`) show what is deployed and when its schedule
 * fires next, without AWS credentials. Writing it never fails a deploy.
 */
import { readRecord, writeRecord } from "../../datastore/records.js";
import type { Storage } from "../../datastore/storage.js";

export interface DeploymentRecord {
  /** The state machine's name. */
  name: string;
  stateMachineArn: string;
  version: number;
  /** `production:<token>`, where the deployment's runs are. */
  namespace: string;
  deployedAt: string;
  deployedBy: string;
  codeSha256: string;
  /** EventBridge Scheduler's `cron(…)` and its time zone, for a scheduled flow. */
  schedule?: { expression: string; timezone: string };
}

function folder(flow: string): string {
  return `${flow}/deployments`;
}

export async function writeDeploymentRecord(
  storage: Storage,
  flow: string,
  record: DeploymentRecord,
): Promise<void> {
  await writeRecord(storage, `${folder(flow)}/${record.name}.json`, record);
}

export async function removeDeploymentRecord(storage: Storage, flow: string, name: string): Promise<void> {
  await storage.remove(`${folder(flow)}/${name}.json`);
}

export async function readDeploymentRecords(storage: Storage, flow: string): Promise<DeploymentRecord[]> {
  const names = (await storage.list(folder(flow)).catch(() => [] as string[])).filter((n) =>
    n.endsWith(".json"),
  );
  const records = await Promise.all(
    names.map((n) => readRecord<DeploymentRecord>(storage, `${folder(flow)}/${n}`).catch(() => undefined)),
  );
  return records.filter((r): r is DeploymentRecord => r !== undefined);
}
