import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { resources } from "../../flow/decorators.js";
import { flow } from "../../flow/flow-builder.js";
import { compileStepFunctions } from "./compile-step-functions.js";
import type { FargateResourcesError } from "./errors.js";
import { FARGATE_SIZES, fargateResources } from "./fargate-resources.js";

const where = { flow: "TrainFlow", step: "fit" };
const map = (cpu: number, memory: number, gpu = 0) => fargateResources({ cpu, memory, gpu }, where);

describe("a step's resources on Fargate", () => {
  test("the table is AWS Batch's: 0.25 to 16 vCPUs, 512 MiB to 120 GiB", () => {
    // then
    assert.deepEqual(
      FARGATE_SIZES.map((s) => [s.vcpu, s.memory[0], s.memory.at(-1), s.memory.length]),
      [
        [0.25, 512, 2048, 3],
        [0.5, 1024, 4096, 4],
        [1, 2048, 8192, 7],
        [2, 4096, 16384, 13],
        [4, 8192, 30720, 23],
        [8, 16384, 61440, 12],
        [16, 32768, 122880, 12],
      ],
    );
    assert.deepEqual(FARGATE_SIZES[3]!.memory.slice(0, 3), [4096, 5120, 6144]);
    assert.deepEqual(FARGATE_SIZES[5]!.memory.slice(0, 3), [16384, 20480, 24576]);
    assert.deepEqual(FARGATE_SIZES[6]!.memory.slice(0, 3), [32768, 40960, 49152]);
  });

  test("every valid pair maps to itself", () => {
    for (const size of FARGATE_SIZES) {
      for (const memory of size.memory) {
        // when
        const pair = map(size.vcpu, memory);
        // then: a smaller vCPU count never offers the memory, so the pair stays as it is
        assert.deepEqual(pair, { vcpu: size.vcpu, memory }, `${size.vcpu} vCPU, ${memory} MiB`);
      }
    }
  });

  test("cpu and memory round up to the nearest valid pair", () => {
    assert.deepEqual(map(1, 4096), { vcpu: 1, memory: 4096 }); // the decorator's default
    assert.deepEqual(map(1, 4000), { vcpu: 1, memory: 4096 });
    assert.deepEqual(map(1, 100), { vcpu: 1, memory: 2048 }); // 1 vCPU has at least 2 GiB
    assert.deepEqual(map(3, 1024), { vcpu: 4, memory: 8192 });
    assert.deepEqual(map(1, 10_000), { vcpu: 2, memory: 10240 }); // 1 vCPU offers at most 8 GiB
    assert.deepEqual(map(4, 31_000), { vcpu: 8, memory: 32768 });
    assert.deepEqual(map(8, 17_000), { vcpu: 8, memory: 20480 }); // 4 GiB steps at 8 vCPUs
    assert.deepEqual(map(9, 1), { vcpu: 16, memory: 32768 });
    assert.deepEqual(map(16, 66_000), { vcpu: 16, memory: 73728 }); // 8 GiB steps at 16 vCPUs
  });

  test("a quarter vCPU: 512, 1024 or 2048 MiB, then half a vCPU", () => {
    assert.deepEqual(map(0.25, 1), { vcpu: 0.25, memory: 512 });
    assert.deepEqual(map(0.25, 600), { vcpu: 0.25, memory: 1024 });
    assert.deepEqual(map(0.25, 2048), { vcpu: 0.25, memory: 2048 });
    assert.deepEqual(map(0.25, 2049), { vcpu: 0.5, memory: 3072 });
    assert.deepEqual(map(0.3, 512), { vcpu: 0.5, memory: 1024 });
  });

  test("16 vCPUs and 120 GiB is the largest job", () => {
    assert.deepEqual(map(16, 122_880), { vcpu: 16, memory: 122880 });
    assert.deepEqual(map(0.25, 122_880), { vcpu: 16, memory: 122880 });
    assert.deepEqual(map(15.5, 114_689), { vcpu: 16, memory: 122880 });
  });

  test("more than 16 vCPUs or 120 GiB, or any GPU, is refused naming flow, step and value", () => {
    assert.throws(() => map(17, 4096), { code: "FS_SFN_FARGATE_TOO_BIG" });
    assert.throws(() => map(16.5, 4096), { code: "FS_SFN_FARGATE_TOO_BIG" });
    assert.throws(() => map(16, 122_881), { code: "FS_SFN_FARGATE_TOO_BIG" });
    assert.throws(() => map(1, 4096, 1), { code: "FS_SFN_FARGATE_GPU" });
    assert.throws(
      () => map(1, 200_000),
      (error: Error & { code?: string }) =>
        error.code === "FS_SFN_FARGATE_TOO_BIG" &&
        !error.message.includes("\n") &&
        ["'fit'", "'TrainFlow'", "memory: 200000"].every((part) => error.message.includes(part)),
    );
  });

  test("every step Fargate cannot run is named in the one error, with what it asks for", () => {
    // given: three steps too large or with a GPU, one that fits
    const noop = () => {};
    const big = flow("BigFlow")
      .step("start", noop, { next: "cpu64", decorators: [resources({ cpu: 1, memory: 4096 })] })
      .step("cpu64", noop, { next: "huge", decorators: [resources({ cpu: 64 })] })
      .step("huge", noop, { next: "gpu", decorators: [resources({ cpu: 32, memory: 200_000 })] })
      .step("gpu", noop, { next: "end", decorators: [resources({ gpu: 1 })] })
      .step("end", noop);
    // then
    assert.throws(
      () => compileStepFunctions(big, { compute: "fargate" }),
      (error: FargateResourcesError & { code?: string }) =>
        error.code === "FS_SFN_FARGATE_TOO_BIG" &&
        !error.message.includes("\n") &&
        error.message ===
          "Resources Fargate cannot run in 3 steps of flow 'BigFlow': 'cpu64' (cpu: 64), 'huge' (cpu: 32, memory: 200000), 'gpu' (gpu: 1) (Fargate runs at most 16 vCPUs; Fargate runs at most 122880 MiB (120 GiB); Fargate has no GPUs). In their resources(), lower cpu and memory and drop gpu, or deploy to an EC2 compute environment with 'flowship configure aws --compute ec2'." &&
        error.misfits.map((m) => m.step).join(",") === "cpu64,huge,huge,gpu",
    );
  });
});
