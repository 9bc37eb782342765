// A Batch job queue on a Fargate compute environment in moto, for tests that need a managed
// environment (its maxvCpus, its state) rather than the unmanaged one startMotoAccount makes.
import {
  CreateComputeEnvironmentCommand,
  CreateJobQueueCommand,
  UpdateComputeEnvironmentCommand,
} from "@aws-sdk/client-batch";
import { CreateRoleCommand, GetRoleCommand } from "@aws-sdk/client-iam";
import type { Moto } from "./moto.js";
import { sdkClients } from "./moto-account.js";

/** The Batch service role an environment names (moto checks that it exists), made once. */
async function serviceRole(moto: Moto): Promise<string> {
  const { iam } = sdkClients(moto);
  const RoleName = "flowship-batch-service";
  const found = await iam.send(new GetRoleCommand({ RoleName })).catch(() => undefined);
  if (found) return found.Role!.Arn!;
  const trust = { Effect: "Allow", Principal: { Service: "batch.amazonaws.com" }, Action: "sts:AssumeRole" };
  const made = await iam.send(
    new CreateRoleCommand({
      RoleName,
      AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [trust] }),
    }),
  );
  return made.Role!.Arn!;
}

/**
 * A job queue on a Fargate compute environment in moto's default VPC (EC2's query API called
 * directly: the tests have no EC2 client), for batch({ queue }) steps that run on Fargate.
 */
export async function fargateQueue(
  moto: Moto,
  name: string,
  options: { maxvCpus?: number; disabled?: boolean } = {},
): Promise<void> {
  const ec2 = async (action: string, tag: string) => {
    const response = await fetch(moto.directEndpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${moto.region}/ec2/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: `Action=${action}&Version=2016-11-15`,
    });
    return new RegExp(`<${tag}>([^<]+)</${tag}>`).exec(await response.text())![1]!;
  };
  const { batch } = sdkClients(moto);
  const environment = await batch.send(
    new CreateComputeEnvironmentCommand({
      computeEnvironmentName: `${name}-ce`,
      type: "MANAGED",
      // AWS would use its service-linked role.
      serviceRole: await serviceRole(moto),
      computeResources: {
        type: "FARGATE",
        maxvCpus: options.maxvCpus ?? 16,
        subnets: [await ec2("DescribeSubnets", "subnetId")],
        securityGroupIds: [await ec2("DescribeSecurityGroups", "groupId")],
      },
    }),
  );
  await batch.send(
    new CreateJobQueueCommand({
      jobQueueName: name,
      state: "ENABLED",
      priority: 1,
      computeEnvironmentOrder: [{ order: 1, computeEnvironment: environment.computeEnvironmentArn! }],
    }),
  );
  if (options.disabled) {
    await batch.send(
      new UpdateComputeEnvironmentCommand({
        computeEnvironment: environment.computeEnvironmentArn!,
        state: "DISABLED",
      }),
    );
  }
}
