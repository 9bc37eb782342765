import assert from "node:assert/strict";
import { test } from "node:test";
import type { BatchDeployClient } from "../deploy/batch-client.js";
import { AwsCallError } from "../deploy/errors.js";
import { queueCompute } from "./queue-compute.js";

/** DescribeJobQueues failing with the SDK error `name`, as the Batch client wraps it. */
const refused = (name: string, message: string) =>
  new AwsCallError({
    operation: "batch:DescribeJobQueues",
    subject: "queue",
    error: Object.assign(new Error(message), { name }),
  });

/** A Batch whose queues have compute environments of these types (an Error: describing fails). */
const batchWith = (queues: Record<string, string[] | Error>) =>
  ({
    queueEnvironments: async (queue: string) => {
      const types = queues[queue];
      if (types instanceof Error) throw types;
      return types?.map((type) => ({ name: `${queue}-${type}`, type, enabled: true }));
    },
  }) as unknown as BatchDeployClient;

test("a queue's compute kind comes from its compute environments, else from the setting", async () => {
  // given
  const client = batchWith({
    spot: ["FARGATE_SPOT"],
    ec2: ["SPOT", "EC2"],
    unmanaged: ["UNMANAGED"],
    empty: [],
    secret: refused("AccessDeniedException", "not authorized to perform batch:DescribeJobQueues"),
    nocreds: refused("CredentialsProviderError", "Could not load credentials from any providers"),
  });
  const printed: string[] = [];
  const kind = async (queue: string) =>
    (await queueCompute(client, queue, "fargate", (line) => printed.push(line))).kind;
  // then
  assert.equal(await kind("spot"), "fargate");
  assert.equal(await kind("ec2"), "ec2");
  assert.equal(await kind("unmanaged"), "ec2");
  assert.equal(await kind("empty"), "fargate");
  assert.equal(printed.length, 0);
  assert.equal(await kind("secret"), "fargate");
  assert.match(
    printed[0]!,
    /Could not read Batch job queue 'secret' \(.*AccessDenied.*\): .*compute setting 'fargate'/,
  );
  await assert.rejects(kind("nope"), { code: "FS_RUN_BATCH_QUEUE", message: /queue 'nope' does not exist/ });
  // Credentials that do not work stop the run on their own error, not after a fallback's warning.
  await assert.rejects(kind("nocreds"), { code: "FS_AWS_CALL", awsError: "CredentialsProviderError" });
  assert.equal(printed.length, 1);
});
