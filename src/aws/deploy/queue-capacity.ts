/**
 * Whether a job queue can ever start the jobs asked of it. Batch accepts a job that asks for more
 * vCPUs than any of the queue's compute environments may run (maxvCpus), or one on a queue whose
 * environments are all DISABLED, and leaves it RUNNABLE: a deployed run would hold its step until
 * the task timeout (24 hours by default), a laptop run until FLOWSHIP_BATCH_RUNNABLE_TIMEOUT.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_stuck_in_runnable.html
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html (maxvCpus)
 */

import type { BatchDeployClient, QueueEnvironment } from "./batch-client.js";
import { DeployError } from "./errors.js";

/**
 * The most vCPUs one job on these environments can get: the largest maxvCpus of the enabled ones;
 * undefined where that is not known (an unmanaged environment: its instances are the account's own).
 */
export function mostVcpus(environments: readonly QueueEnvironment[]): number | undefined {
  let most = 0;
  for (const environment of environments) {
    if (!environment.enabled) continue;
    if (environment.maxvCpus === undefined) return undefined;
    most = Math.max(most, environment.maxvCpus);
  }
  return most;
}

/** Whether the queue has environments and none of them takes jobs. */
export function allDisabled(environments: readonly QueueEnvironment[]): boolean {
  return environments.length > 0 && environments.every((e) => !e.enabled);
}

export const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(", ");

/**
 * The vCPUs each step's jobs ask for in a compiled state machine: a Batch task state names its step
 * in FLOWSHIP_STEP and its size in ResourceRequirements; a step without one runs with the job
 * definition's 1 vCPU. Read from the definition itself, so `--with` and every decorator count as
 * deployed.
 */
export function stepVcpus(definition: unknown): Map<string, number> {
  const asks = new Map<string, number>();
  const visit = (value: unknown): void => {
    // Arrays too: their values are their items.
    if (typeof value !== "object" || value === null) return;
    const overrides = (value as Record<string, unknown>).ContainerOverrides as
      | {
          Environment?: Array<{ Name?: string; Value?: string }>;
          ResourceRequirements?: Array<{ Type?: string; Value?: string }>;
        }
      | undefined;
    const step = overrides?.Environment?.find((e) => e.Name === "FLOWSHIP_STEP")?.Value;
    if (step !== undefined) {
      const vcpu = overrides?.ResourceRequirements?.find((r) => r.Type === "VCPU")?.Value;
      asks.set(step, Math.max(asks.get(step) ?? 0, vcpu === undefined ? 1 : Number(vcpu)));
    }
    for (const child of Object.values(value)) visit(child);
  };
  visit(definition);
  return asks;
}

/**
 * Refuses a deploy whose job queue could never start one of its steps' jobs, before anything is
 * written. A queue that cannot be read (a denied describe, say) is not checked: the answer is a
 * warning to print instead.
 */
export async function checkDeployQueue(options: {
  batch: BatchDeployClient;
  queue: string;
  flow: string;
  definition: unknown;
}): Promise<string | undefined> {
  const { queue, flow } = options;
  let environments: QueueEnvironment[] | undefined;
  try {
    environments = await options.batch.queueEnvironments(queue);
  } catch (error) {
    return `job queue '${queue}' was not checked for capacity: ${(error as Error).message}`;
  }
  // A queue that does not exist, or has no environment, is `aws doctor`'s to report.
  if (environments === undefined || environments.length === 0) return undefined;
  const remedy = "or deploy to another queue (--job-queue)";
  if (allDisabled(environments)) {
    throw new DeployError(
      "FS_SFN_QUEUE_CAPACITY",
      `Job queue '${queue}' cannot start the jobs of flow '${flow}': its compute environments ${quoted(environments.map((e) => e.name))} are all DISABLED, so every step would wait RUNNABLE. Enable one (aws batch update-compute-environment --compute-environment NAME --state ENABLED) ${remedy}.`,
      { exitCode: 2 },
    );
  }
  const most = mostVcpus(environments);
  if (most === undefined) return undefined;
  const over = [...stepVcpus(options.definition)].filter(([, vcpus]) => vcpus > most);
  if (over.length === 0) return undefined;
  const asks = over.map(([step, vcpus]) => `'${step}' asks ${vcpus}`).join(", ");
  throw new DeployError(
    "FS_SFN_QUEUE_CAPACITY",
    `Job queue '${queue}' cannot start ${over.length > 1 ? "steps" : "a step"} of flow '${flow}' as deployed: ${asks} vCPUs, but its compute environments run at most ${most} vCPUs (maxvCpus), so the jobs would wait RUNNABLE until the task timeout. Lower the cpu in resources(), batch() or --with, raise the environments' maxvCpus, ${remedy}.`,
    { exitCode: 2 },
  );
}
