/**
 * A step's `resources` on Fargate. Fargate runs a job only with one of a fixed set of vCPU and
 * memory pairs, so what a step asks for is rounded up to the smallest pair that holds it: the
 * fewest vCPUs that are at least `cpu` and offer at least `memory`, then the least memory of those
 * that is at least `memory`. GPUs do not exist on Fargate.
 *
 * @see https://docs.aws.amazon.com/batch/latest/userguide/job_definition_parameters.html#ContainerProperties-resourceRequirements-Fargate-memory-vcpu
 * @see https://docs.aws.amazon.com/batch/latest/userguide/fargate-job-definitions.html
 */
import { type FargateMisfit, FargateResourcesError } from "./errors.js";

/** A vCPU and memory (MiB) pair Fargate runs. */
export interface FargatePair {
  vcpu: number;
  memory: number;
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

/**
 * The valid memory values (MiB) of each vCPU count, as AWS Batch's user guide lists them.
 * (botocore 1.43's model also names 32 vCPUs; the user guide's Fargate table stops at 16.)
 */
export const FARGATE_SIZES: ReadonlyArray<{ vcpu: number; memory: readonly number[] }> = [
  { vcpu: 0.25, memory: [512, 1024, 2048] },
  { vcpu: 0.5, memory: range(1024, 4096, 1024) },
  { vcpu: 1, memory: range(2048, 8192, 1024) },
  { vcpu: 2, memory: range(4096, 16384, 1024) },
  { vcpu: 4, memory: range(8192, 30720, 1024) },
  { vcpu: 8, memory: range(16384, 61440, 4096) },
  { vcpu: 16, memory: range(32768, 122880, 8192) },
];

/** The most a Fargate job can have: 16 vCPUs and 120 GiB. */
export const FARGATE_MAX: FargatePair = { vcpu: 16, memory: 122_880 };

/**
 * The smallest valid Fargate pair at or above a step's `resources`.
 *
 * @example
 * fargateResources({ cpu: 1, memory: 10_000, gpu: 0 }, { flow: "Train", step: "fit" }); // { vcpu: 2, memory: 10240 }
 */
export function fargateResources(
  resources: StepResources,
  where: { flow: string; step: string },
): FargatePair {
  const misfits = fargateMisfits(resources, where.step);
  if (misfits.length > 0) throw new FargateResourcesError({ flow: where.flow, misfits });
  for (const size of FARGATE_SIZES) {
    if (size.vcpu < resources.cpu) continue;
    const memory = size.memory.find((value) => value >= resources.memory);
    if (memory !== undefined) return { vcpu: size.vcpu, memory };
  }
  // Unreachable: 16 vCPUs offer every memory up to FARGATE_MAX.memory.
  throw new FargateResourcesError({
    flow: where.flow,
    misfits: [{ step: where.step, what: "memory", value: resources.memory }],
  });
}

/** A step's `resources`: vCPUs, memory in MiB, GPUs. */
export interface StepResources {
  cpu: number;
  memory: number;
  gpu: number;
}

/** What of one step's `resources` Fargate cannot run: a GPU, more than 16 vCPUs, more than 120 GiB. */
export function fargateMisfits(resources: StepResources, step: string): FargateMisfit[] {
  return [
    ...(resources.cpu > FARGATE_MAX.vcpu ? [{ step, what: "cpu" as const, value: resources.cpu }] : []),
    ...(resources.memory > FARGATE_MAX.memory
      ? [{ step, what: "memory" as const, value: resources.memory }]
      : []),
    ...(resources.gpu > 0 ? [{ step, what: "gpu" as const, value: resources.gpu }] : []),
  ];
}

/**
 * Refuses, in one error naming every one, the steps whose `resources` Fargate cannot run: a flow
 * is compiled step by step, and a user should not fix them one deploy at a time.
 */
export function checkFargateResources(
  flow: string,
  steps: ReadonlyArray<{ step: string; resources: StepResources | undefined }>,
): void {
  const misfits = steps.flatMap(({ step, resources }) => (resources ? fargateMisfits(resources, step) : []));
  if (misfits.length > 0) throw new FargateResourcesError({ flow, misfits });
}
