/**
 * Where jobs run: one managed Batch compute environment and the job queue in front of it.
 * Fargate (the default) needs no instances, roles or AMIs and scales to zero by itself; EC2 and
 * Spot start ECS instances (`minvCpus` 0, so an idle queue costs nothing) that run as an instance
 * role with AWS's managed ECS policy.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-batch-computeenvironment.html
 */
import {
  AWS_PARTITION,
  AWS_STACK_NAME,
  getAtt,
  type Resources,
  ref,
  type TemplateValue,
} from "./cloudformation-values.js";
import type { NetworkRefs } from "./stack-network.js";

/** The kinds of compute environment the stack can make. */
export const STACK_COMPUTE = ["fargate", "ec2", "spot"] as const;
export type StackCompute = (typeof STACK_COMPUTE)[number];

export interface ComputeOptions {
  compute: StackCompute;
  maxVcpus: number;
  network: NetworkRefs;
  /**
   * The Batch service role's ARN. Without one Batch uses its service-linked role
   * (AWSServiceRoleForBatch), which AWS recommends.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/using-service-linked-roles.html
   */
  serviceRole?: string;
}

/**
 * Spot instances by price and capacity together: fewer interruptions than the lowest price
 * alone, and no Spot Fleet role needed (only BEST_FIT takes one).
 * @see https://docs.aws.amazon.com/batch/latest/userguide/allocation-strategies.html
 */
const SPOT_ALLOCATION = "SPOT_PRICE_CAPACITY_OPTIMIZED";
const EC2_ALLOCATION = "BEST_FIT_PROGRESSIVE";

/** The instance role's policy: AWS's, as the Batch user guide has it (the ECS agent's calls). */
const ECS_INSTANCE_POLICY = `arn:${AWS_PARTITION}:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role`;

/** The compute environment and job queue, with an instance role and profile for EC2 and Spot. */
export function computeResources(options: ComputeOptions): Resources {
  const resources: Resources = {};
  const common: Record<string, TemplateValue> = {
    MaxvCpus: options.maxVcpus,
    Subnets: options.network.subnets,
    SecurityGroupIds: options.network.securityGroupIds,
  };
  let computeResources: Record<string, TemplateValue>;
  if (options.compute === "fargate") {
    computeResources = { Type: "FARGATE", ...common };
  } else {
    // The ECS agent on each instance assumes this role. EC2 sets no aws:SourceAccount when an
    // instance profile's role is assumed, so its trust policy has no such condition.
    resources.InstanceRole = {
      Type: "AWS::IAM::Role",
      Properties: {
        RoleName: { "Fn::Sub": `${AWS_STACK_NAME}-instance` },
        Description: "flowship: the ECS agent on Batch's EC2 instances runs as this role",
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        },
        ManagedPolicyArns: [{ "Fn::Sub": ECS_INSTANCE_POLICY }],
      },
    };
    resources.InstanceProfile = {
      Type: "AWS::IAM::InstanceProfile",
      Properties: { Roles: [ref("InstanceRole")] },
    };
    computeResources = {
      Type: options.compute === "spot" ? "SPOT" : "EC2",
      AllocationStrategy: options.compute === "spot" ? SPOT_ALLOCATION : EC2_ALLOCATION,
      MinvCpus: 0,
      ...common,
      InstanceTypes: ["optimal"],
      InstanceRole: getAtt("InstanceProfile", "Arn"),
    };
  }
  resources.ComputeEnvironment = {
    Type: "AWS::Batch::ComputeEnvironment",
    Properties: {
      Type: "MANAGED",
      State: "ENABLED",
      ComputeResources: computeResources,
      ...(options.serviceRole ? { ServiceRole: options.serviceRole } : {}),
    },
  };
  resources.JobQueue = {
    Type: "AWS::Batch::JobQueue",
    Properties: {
      Priority: 1,
      State: "ENABLED",
      ComputeEnvironmentOrder: [{ Order: 1, ComputeEnvironment: ref("ComputeEnvironment") }],
    },
  };
  return resources;
}
