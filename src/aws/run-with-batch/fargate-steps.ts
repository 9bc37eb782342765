/**
 * What a laptop run refuses before submitting anything to a Fargate queue: a Batch step asking for
 * a size Fargate does not offer, or no execution role. Unlike a deploy, a run's sizes can come from
 * `--with batch:…` as well as the step's own `batch()` or `resources()`, so each refusal names the
 * real steps and where their size was given.
 */
import { UsageError } from "../../errors.js";
import type { BatchOptions } from "../../flow/decorators.js";
import type { BatchStep } from "../../run/batch-launcher-types.js";
import type { ComputeKind } from "../compile/compile-options.js";
import { fargateMisfits } from "../compile/fargate-resources.js";
import { AWS_SETTINGS } from "../deploy/aws-settings.js";

const LIMITS = {
  cpu: "Fargate runs at most 16 vCPUs",
  memory: "Fargate runs at most 122880 MiB (120 GiB)",
  gpu: "Fargate has no GPUs",
} as const;

const quoted = (names: readonly string[]) => names.map((n) => `'${n}'`).join(", ");

/**
 * Refuses, in one line naming every one, the Batch steps headed for a Fargate queue that ask for
 * more than Fargate runs; then a Fargate queue without an execution role.
 *
 * @example
 * checkFargateSteps({ flow: "Train", steps, queueOf, computeOf, executionRole: settings.executionRole });
 */
export function checkFargateSteps(facts: {
  flow: string;
  steps: readonly BatchStep[];
  queueOf: (batch: BatchOptions) => string;
  computeOf: (queue: string) => ComputeKind;
  executionRole: string | undefined;
}): void {
  const onFargate = facts.steps.filter((s) => facts.computeOf(facts.queueOf(s.batch)) === "fargate");
  // One group per queue, size and origin: `--with batch:gpu=1` gives every step the same ask.
  const groups = new Map<string, { steps: string[]; what: keyof typeof LIMITS }>();
  for (const { step, batch, origins } of onFargate) {
    const wanted = { cpu: batch.cpu ?? 1, memory: batch.memory ?? 4096, gpu: batch.gpu ?? 0 };
    for (const misfit of fargateMisfits(wanted, step)) {
      const origin = origins[misfit.what] ?? `${misfit.what}: ${misfit.value}`;
      const key = `${misfit.what}: ${misfit.value} (from ${origin}) on queue '${facts.queueOf(batch)}'`;
      const group = groups.get(key) ?? { steps: [], what: misfit.what };
      group.steps.push(step);
      groups.set(key, group);
    }
  }
  if (groups.size > 0) {
    const asks = [...groups].map(
      ([key, { steps }]) =>
        `${steps.length > 1 ? "steps" : "step"} ${quoted(steps)} ${steps.length > 1 ? "ask" : "asks"} ${key}`,
    );
    const limits = [...new Set([...groups.values()].map((g) => LIMITS[g.what]))].join("; ");
    throw new UsageError(
      `Fargate cannot run the Batch steps of flow '${facts.flow}' as asked: ${asks.join("; ")} (${limits}). Lower or drop these sizes where they are given, or send the steps to a job queue on EC2 (queue=… in --with batch or batch(), or ${AWS_SETTINGS.jobQueue.flag} / ${AWS_SETTINGS.jobQueue.env}).`,
      "FS_RUN_BATCH_FARGATE",
    );
  }
  const withoutRole = onFargate.find((s) => !(s.batch.executionRole ?? facts.executionRole));
  if (withoutRole) {
    throw new UsageError(
      `Batch job queue '${facts.queueOf(withoutRole.batch)}' runs on Fargate, whose jobs need an execution role: set executionRole ('flowship configure aws ${AWS_SETTINGS.executionRole.flag}', ${AWS_SETTINGS.executionRole.env}), or executionRole in batch() or --with batch.`,
      "FS_RUN_BATCH_SETTINGS",
    );
  }
}
