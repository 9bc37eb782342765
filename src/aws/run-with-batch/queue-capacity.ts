/**
 * What a laptop run refuses before submitting anything to a job queue that can never start the
 * job (deploy/queue-capacity.ts says why): unlike a deploy, a run's sizes can come from
 * `--with batch:…` as well as the step's own decorators, and each step may name its own queue, so
 * the refusal names the steps and where their cpu was given.
 */
import { UsageError } from "../../errors.js";
import type { BatchOptions } from "../../flow/decorators.js";
import type { BatchStep } from "../../run/batch-launcher-types.js";
import type { QueueEnvironment } from "../deploy/batch-client.js";
import { allDisabled, mostVcpus, quoted } from "../deploy/queue-capacity.js";

/**
 * Refuses, in one line, the Batch steps whose queue cannot start their jobs.
 *
 * @example
 * checkQueueCapacity({ flow: "Train", steps, queueOf, environmentsOf });
 */
export function checkQueueCapacity(facts: {
  flow: string;
  steps: readonly BatchStep[];
  queueOf: (batch: BatchOptions) => string;
  /** Undefined where the queue could not be read: nothing is checked then. */
  environmentsOf: (queue: string) => readonly QueueEnvironment[] | undefined;
}): void {
  const byQueue = new Map<string, BatchStep[]>();
  for (const step of facts.steps) {
    const queue = facts.queueOf(step.batch);
    byQueue.set(queue, [...(byQueue.get(queue) ?? []), step]);
  }
  for (const [queue, steps] of byQueue) {
    const environments = facts.environmentsOf(queue);
    // No environment at all: `queueCompute` already fell back to the setting; Batch says the rest.
    if (environments === undefined || environments.length === 0) continue;
    if (allDisabled(environments)) {
      throw new UsageError(
        `Batch job queue '${queue}' cannot start the jobs of flow '${facts.flow}' (${steps.length > 1 ? "steps" : "step"} ${quoted(steps.map((s) => s.step))}): its compute environments ${quoted(environments.map((e) => e.name))} are all DISABLED, so its jobs would wait RUNNABLE. Enable one (aws batch update-compute-environment --compute-environment NAME --state ENABLED) or send the steps to another queue.`,
        "FS_RUN_BATCH_CAPACITY",
      );
    }
    const most = mostVcpus(environments);
    if (most === undefined) continue;
    // One group per ask and where it was given: `--with batch:cpu=64` gives every step the same.
    const groups = new Map<string, string[]>();
    for (const { step, batch, origins } of steps) {
      const cpu = batch.cpu ?? 1;
      if (cpu <= most) continue;
      const key = `cpu: ${cpu} (from ${origins.cpu ?? `cpu: ${cpu}`})`;
      groups.set(key, [...(groups.get(key) ?? []), step]);
    }
    if (groups.size === 0) continue;
    const asks = [...groups].map(
      ([key, names]) =>
        `${names.length > 1 ? "steps" : "step"} ${quoted(names)} ${names.length > 1 ? "ask" : "asks"} ${key}`,
    );
    throw new UsageError(
      `Batch job queue '${queue}' cannot start the Batch steps of flow '${facts.flow}' as asked: ${asks.join("; ")}, but its compute environments run at most ${most} vCPUs (maxvCpus), so the jobs would wait RUNNABLE. Lower the cpu where it is given, raise the environments' maxvCpus, or send the steps to another queue (queue=… in --with batch or batch()).`,
      "FS_RUN_BATCH_CAPACITY",
    );
  }
}
