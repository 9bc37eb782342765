// deleteStack's and deletedStackBucket's reading of CloudFormation where moto 5.2.5 cannot answer
// as AWS does: the resources of a deleted stack, looked up by its id (moto makes them again), and
// a delete CloudFormation fails. The rest runs against moto in test/integration/aws-stack-cli.test.ts.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  CloudFormationClient,
  DeleteStackCommand,
  DescribeStackEventsCommand,
  DescribeStackResourcesCommand,
  DescribeStacksCommand,
  ListStacksCommand,
} from "@aws-sdk/client-cloudformation";
import { IAMClient, ListEntitiesForPolicyCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { StackDeployError } from "./errors.js";
import { deletedStackBucket, deleteStack } from "./stack-delete.js";

const id = (n: number) => `arn:aws:cloudformation:eu-west-1:123456789012:stack/flowship/${n}`;

test("the bucket of the newest deleted stack of the name is read by its id", async () => {
  // given: two deleted stacks named flowship, and another
  const client = new CloudFormationClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  mock.on(ListStacksCommand).resolves({
    StackSummaries: [
      {
        StackName: "flowship",
        StackId: id(1),
        StackStatus: "DELETE_COMPLETE",
        CreationTime: new Date(1),
        DeletionTime: new Date(2),
      },
      {
        StackName: "flowship",
        StackId: id(2),
        StackStatus: "DELETE_COMPLETE",
        CreationTime: new Date(3),
        DeletionTime: new Date(4),
      },
      {
        StackName: "other",
        StackId: id(3),
        StackStatus: "DELETE_COMPLETE",
        CreationTime: new Date(5),
        DeletionTime: new Date(6),
      },
    ],
  });
  mock.on(DescribeStackResourcesCommand, { StackName: id(2) }).resolves({
    StackResources: [{ LogicalResourceId: "Bucket", PhysicalResourceId: "flowship-bucket-2" } as never],
  });
  // when
  const bucket = await deletedStackBucket({ name: "flowship", client });
  // then
  assert.equal(bucket, "flowship-bucket-2");
  assert.deepEqual(mock.commandCalls(ListStacksCommand)[0]!.args[0].input.StackStatusFilter, [
    "DELETE_COMPLETE",
  ]);
});

test("a delete CloudFormation fails names the bucket the stack keeps", async () => {
  // given: a flowship stack whose delete ends DELETE_FAILED
  const client = new CloudFormationClient({ region: "eu-west-1" });
  const mock = mockClient(client);
  let deleted = false;
  mock.on(DescribeStacksCommand).callsFake(() => ({
    Stacks: [
      {
        StackName: "flowship",
        StackId: id(1),
        StackStatus: deleted ? "DELETE_FAILED" : "CREATE_COMPLETE",
        StackStatusReason: deleted ? "The following resource(s) failed to delete: [JobQueue]." : undefined,
        Description:
          "flowship: AWS Batch (fargate, up to 64 vCPUs, a VPC of its own), a new S3 bucket and IAM roles for flows on Step Functions (flowship aws stack)",
        Outputs: [
          { OutputKey: "DeployerPolicy", OutputValue: "arn:aws:iam::123456789012:policy/flowship-deployer" },
        ],
      },
    ],
  }));
  mock.on(DescribeStackResourcesCommand).resolves({
    StackResources: [{ LogicalResourceId: "Bucket", PhysicalResourceId: "flowship-bucket-1" } as never],
  });
  mock.on(DescribeStackEventsCommand).resolves({ StackEvents: [] });
  mock.on(DeleteStackCommand).callsFake(() => {
    deleted = true;
    return {};
  });
  const iam = new IAMClient({ region: "eu-west-1" });
  mockClient(iam)
    .on(ListEntitiesForPolicyCommand)
    .resolves({ PolicyUsers: [], PolicyGroups: [], PolicyRoles: [] });
  // when
  const failure = await deleteStack({ name: "flowship", client, iam, pollMs: 1, log: () => {} }).catch(
    (e) => e,
  );
  // then
  assert.ok(failure instanceof StackDeployError);
  assert.match(
    failure.message,
    /^Deleting stack 'flowship' failed: it is DELETE_FAILED .* Its bucket flowship-bucket-1 is kept\.$/,
  );
  assert.equal(mock.commandCalls(DeleteStackCommand)[0]!.args[0].input.StackName, id(1));
});
