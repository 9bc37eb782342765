import assert from "node:assert/strict";
import { test } from "node:test";
import type { BatchDeployClient } from "../deploy/batch-client.js";
import { queueCompute } from "./queue-compute.js";

/** A Batch whose queues have compute environments of these types (an Error: describing fails). */
const batchWith = (queues: Record<string, string[] | Error>) =>
  ({
    queueComputeTypes: async (queue: string) => {
      const types = queues[queue];
      if (types instanceof Error) throw types;
      return types;
    },
  }) as unknown as BatchDeployClient;

test("a queue's compute kind comes from its compute environments, else from the setting", async () => {
  // given
  const client = batchWith({
    spot: ["FARGATE_SPOT"],
    ec2: ["SPOT", "EC2"],
    unmanaged: ["UNMANAGED"],
    empty: [],
    secret: new Error("AccessDeniedException: not authorized to perform batch:DescribeJobQueues"),
  });
  const printed: string[] = [];
  const kind = (queue: string) => queueCompute(client, queue, "fargate", (line) => printed.push(line));
  // then
  assert.equal(await kind("spot"), "fargate");
  assert.equal(await kind("ec2"), "ec2");
  assert.equal(await kind("unmanaged"), "ec2");
  assert.equal(await kind("empty"), "fargate");
  assert.equal(printed.length, 0);
  assert.equal(await kind("secret"), "fargate");
  assert.match(
    printed[0]!,
    /Could not read Batch job queue 'secret' \(AccessDenied.*\): .*compute setting 'fargate'/,
  );
  await assert.rejects(kind("nope"), { code: "FS_RUN_BATCH_QUEUE", message: /queue 'nope' does not exist/ });
});
