// settingsFromStack on a stack that is being deleted, or whose delete failed: it still has every
// output, naming a queue and roles that are going, and must not become the settings. A mocked
// CloudFormation, because moto deletes a stack at once (there is no DELETE_IN_PROGRESS to read);
// the rest of --from-stack runs against moto in test/integration/configure-aws-cli.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { settingsFromStack } from "./settings-from-stack.js";

const OUTPUTS = {
  Region: "eu-west-1",
  JobQueue: "flowship-queue",
  S3Root: "s3://flowship-bucket/flowship",
  BatchJobRole: "arn:aws:iam::123456789012:role/flowship-batch-job",
  SfnRole: "arn:aws:iam::123456789012:role/flowship-step-functions",
};

function cloudFormation(status: string): CloudFormationClient {
  const client = new CloudFormationClient({ region: "eu-west-1" });
  mockClient(client)
    .on(DescribeStacksCommand)
    .resolves({
      Stacks: [
        {
          StackName: "flowship",
          StackStatus: status as never,
          CreationTime: new Date(),
          Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });
  return client;
}

test("a stack being deleted, or whose delete failed, gives no settings, and says what to do", async () => {
  for (const [status, remedy] of [
    ["DELETE_IN_PROGRESS", /wait until the delete ends, then deploy it again/],
    ["DELETE_FAILED", /finish the delete with 'flowship aws stack delete --name flowship'/],
  ] as const) {
    await assert.rejects(
      settingsFromStack({ name: "flowship", region: "eu-west-1", client: cloudFormation(status) }),
      (error: Error & { code?: string }) => {
        assert.equal(error.code, "FS_STACK_SETTINGS");
        assert.match(error.message, new RegExp(`^Stack 'flowship' in eu-west-1 is ${status}: `));
        assert.match(error.message, remedy);
        return true;
      },
    );
  }
  // and a stack at rest still gives them
  const { settings } = await settingsFromStack({
    name: "flowship",
    region: "eu-west-1",
    client: cloudFormation("UPDATE_ROLLBACK_COMPLETE"),
  });
  assert.equal(settings.jobQueue, "flowship-queue");
});
