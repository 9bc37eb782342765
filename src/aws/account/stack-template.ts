/**
 * The account stack: everything flowship's production path needs in one CloudFormation template
 * — a Batch compute environment (Fargate, EC2 or Spot) and job queue, the network they start jobs
 * in, the S3 bucket of the datastore, the IAM roles with the generated policies, the deployer's
 * managed policy and, if asked, an SNS topic for alerts. Pure: options in, template object out
 * (`flowship aws stack print` shows it; stack-deploy.ts applies it). Its outputs are named after
 * the settings `flowship configure aws --from-stack` fills from them ({@link OUTPUT_SETTINGS}).
 *
 * @example
 * const template = stackTemplate({ compute: "fargate", maxVcpus: 64 });
 */
import {
  AWS_ACCOUNT_ID,
  AWS_PARTITION,
  AWS_REGION,
  type Resources,
  ref,
  sub,
  subRef,
  type TemplateValue,
} from "./cloudformation-values.js";
import { StackOptionError } from "./errors.js";
import { computeResources, STACK_COMPUTE, type StackCompute } from "./stack-compute.js";
import { type ExistingNetwork, networkResources } from "./stack-network.js";
import { DEPLOYER_POLICY_ID, ROLE_LOGICAL_IDS, roleResources } from "./stack-roles.js";

export interface StackOptions {
  /** The compute environment's kind. @default "fargate" */
  compute?: StackCompute;
  /** The most vCPUs the compute environment runs at once (a cost ceiling). @default 64 */
  maxVcpus?: number;
  /** An existing VPC's subnets and security group. @default a VPC of the stack's own */
  network?: ExistingNetwork;
  /** An existing bucket's name. @default a new, encrypted, private bucket the stack retains on delete */
  bucket?: string;
  /** Create an SNS topic that EventBridge may publish alerts to. @default false */
  alertsTopic?: boolean;
  /** A Batch service role's ARN. @default Batch's service-linked role */
  batchServiceRole?: string;
}

export interface StackTemplate {
  AWSTemplateFormatVersion: "2010-09-09";
  Description: string;
  Resources: Resources;
  Outputs: Record<string, { Description: string; Value: TemplateValue }>;
}

export const DEFAULT_MAX_VCPUS = 64;
/** The datastore's prefix in the bucket, as docs/production.md's policies assume. */
export const DATASTORE_PREFIX = "flowship";

/** Each output and the setting of `flowship configure aws` it fills (none for DeployerPolicy). */
export const OUTPUT_SETTINGS = {
  Region: "region",
  JobQueue: "jobQueue",
  S3Root: "s3Root",
  BatchJobRole: "batchJobRole",
  SfnRole: "sfnRole",
  SchedulerRole: "schedulerRole",
  EventsRole: "eventsRole",
  ExecutionRole: "executionRole",
  Compute: "compute",
  NotifySnsTopic: "notifySnsTopic",
  DeployerPolicy: undefined,
} as const;
export type StackOutputName = keyof typeof OUTPUT_SETTINGS;

/** The logical id of the bucket a stack makes (delete --delete-bucket looks it up). */
export const BUCKET_ID = "Bucket";

const PATTERNS = {
  vpcId: /^vpc-[0-9a-f]{8,17}$/,
  subnetId: /^subnet-[0-9a-f]{8,17}$/,
  securityGroupId: /^sg-[0-9a-f]{8,17}$/,
  role: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
};

/** Prefixes and suffixes S3 keeps for itself (access point aliases, Multi-Region Access Points …). */
const RESERVED_BUCKET_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const RESERVED_BUCKET_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/**
 * What is wrong with a bucket name by S3's naming rules for general purpose buckets, or
 * undefined. Each dot-separated label also starts and ends with a letter or digit (`a.-b` is
 * refused): the DNS-style names virtual-hosted addressing needs, as S3's earlier rules required.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "3 to 63 characters";
  if (!/^[a-z0-9.-]+$/.test(name)) return "only lower-case letters, digits, dots and hyphens";
  if (name.includes("..")) return "no two dots in a row";
  if (!name.split(".").every((label) => /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(label))) {
    return "each part between dots starts and ends with a letter or digit";
  }
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "not formatted as an IP address";
  const prefix = RESERVED_BUCKET_PREFIXES.find((p) => name.startsWith(p));
  if (prefix) return `not starting with '${prefix}', which S3 reserves`;
  const suffix = RESERVED_BUCKET_SUFFIXES.find((p) => name.endsWith(p));
  if (suffix) return `not ending with '${suffix}', which S3 reserves`;
  return undefined;
}

/** @see https://docs.aws.amazon.com/batch/latest/APIReference/API_ComputeResource.html */
const MAX_FARGATE_SUBNETS = 16;

/** Checks the options, each bad one named with what would do. */
export function checkStackOptions(
  options: StackOptions,
): Required<Pick<StackOptions, "compute" | "maxVcpus">> {
  const compute = options.compute ?? "fargate";
  if (!STACK_COMPUTE.includes(compute)) {
    throw new StackOptionError({ option: "--compute", value: compute, expected: "fargate, ec2 or spot" });
  }
  const maxVcpus = options.maxVcpus ?? DEFAULT_MAX_VCPUS;
  if (!Number.isInteger(maxVcpus) || maxVcpus < 1 || maxVcpus > 10_000) {
    throw new StackOptionError({
      option: "--max-vcpus",
      value: String(maxVcpus),
      expected: "a whole number from 1 to 10000",
    });
  }
  const network = options.network;
  if (network) {
    const bad = (option: string, value: string, expected: string) => {
      throw new StackOptionError({ option, value, expected });
    };
    if (!PATTERNS.vpcId.test(network.vpcId)) bad("--vpc-id", network.vpcId, "a VPC id such as vpc-0a1b2c3d");
    if (network.subnetIds.length === 0) bad("--subnet-ids", "", "one or more subnet ids, comma-separated");
    for (const [i, subnet] of network.subnetIds.entries()) {
      if (!PATTERNS.subnetId.test(subnet)) bad("--subnet-ids", subnet, "subnet ids such as subnet-0a1b2c3d");
      if (network.subnetIds.indexOf(subnet) !== i) bad("--subnet-ids", subnet, "each subnet once");
    }
    // AWS Batch's limit for a Fargate compute environment; the create would fail on it.
    if (compute === "fargate" && network.subnetIds.length > MAX_FARGATE_SUBNETS) {
      bad(
        "--subnet-ids",
        `${network.subnetIds.length} subnets`,
        `at most ${MAX_FARGATE_SUBNETS} subnets, Fargate's limit for a compute environment`,
      );
    }
    if (!PATTERNS.securityGroupId.test(network.securityGroupId)) {
      bad("--security-group-id", network.securityGroupId, "a security group id such as sg-0a1b2c3d");
    }
  }
  const bucketProblem = options.bucket === undefined ? undefined : bucketNameProblem(options.bucket);
  if (bucketProblem) {
    throw new StackOptionError({
      option: "--bucket",
      value: options.bucket!,
      expected: `an S3 bucket name by S3's naming rules: ${bucketProblem}`,
    });
  }
  if (options.batchServiceRole !== undefined && !PATTERNS.role.test(options.batchServiceRole)) {
    throw new StackOptionError({
      option: "--batch-service-role",
      value: options.batchServiceRole,
      expected: "an IAM role ARN",
    });
  }
  return { compute, maxVcpus };
}

/**
 * The bucket of a new datastore: encrypted (SSE-S3), no public access, objects owned by the
 * bucket's account, and retained when the stack is deleted or the resource replaced — it holds
 * every run's artifacts and the code that produced them.
 */
function bucketResource(): Resources {
  return {
    [BUCKET_ID]: {
      Type: "AWS::S3::Bucket",
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      },
    },
  };
}

/**
 * The alerts topic and the access policy that lets EventBridge publish to it, from flowship's
 * rules only (`flowship-*`, see step-functions create --notify-on-error).
 */
function alertsResources(): Resources {
  return {
    AlertsTopic: { Type: "AWS::SNS::Topic", Properties: { DisplayName: "flowship alerts" } },
    AlertsTopicPolicy: {
      Type: "AWS::SNS::TopicPolicy",
      Properties: {
        Topics: [ref("AlertsTopic")],
        PolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "FlowshipRulesPublish",
              Effect: "Allow",
              Principal: { Service: "events.amazonaws.com" },
              Action: "sns:Publish",
              Resource: ref("AlertsTopic"),
              Condition: {
                ArnLike: {
                  "aws:SourceArn": sub(
                    `arn:${AWS_PARTITION}:events:${AWS_REGION}:${AWS_ACCOUNT_ID}:rule/flowship-*`,
                  ),
                },
              },
            },
          ],
        },
      },
    },
  };
}

/** The account stack's template for these options. */
export function stackTemplate(options: StackOptions = {}): StackTemplate {
  const { compute, maxVcpus } = checkStackOptions(options);
  const network = networkResources(options.network);
  const bucket = options.bucket ?? subRef(BUCKET_ID);
  const fargate = compute === "fargate";
  const resources: Resources = {
    ...network.resources,
    ...(options.bucket === undefined ? bucketResource() : {}),
    ...computeResources({
      compute,
      maxVcpus,
      network: network.refs,
      ...(options.batchServiceRole ? { serviceRole: options.batchServiceRole } : {}),
    }),
    ...roleResources({ bucket, withExecutionRole: fargate }),
    ...(options.alertsTopic ? alertsResources() : {}),
  };
  const arn = (kind: keyof typeof ROLE_LOGICAL_IDS) => ({ "Fn::GetAtt": [ROLE_LOGICAL_IDS[kind], "Arn"] });
  const outputs: Partial<Record<StackOutputName, { Description: string; Value: TemplateValue }>> = {
    Region: { Description: "configure aws --region", Value: ref("AWS::Region") },
    JobQueue: { Description: "configure aws --job-queue", Value: ref("JobQueue") },
    S3Root: { Description: "configure aws --s3-root", Value: sub(`s3://${bucket}/${DATASTORE_PREFIX}`) },
    BatchJobRole: { Description: "configure aws --batch-job-role", Value: arn("batchJob") },
    SfnRole: { Description: "configure aws --sfn-role", Value: arn("stepFunctions") },
    SchedulerRole: { Description: "configure aws --scheduler-role", Value: arn("scheduler") },
    EventsRole: { Description: "configure aws --events-role", Value: arn("events") },
    ...(fargate
      ? { ExecutionRole: { Description: "configure aws --execution-role", Value: arn("execution") } }
      : {}),
    // Job definitions know two kinds: Spot instances are EC2 instances to them.
    Compute: { Description: "configure aws --compute", Value: fargate ? "fargate" : "ec2" },
    ...(options.alertsTopic
      ? { NotifySnsTopic: { Description: "configure aws --notify-sns-topic", Value: ref("AlertsTopic") } }
      : {}),
    DeployerPolicy: {
      Description: "attach to the users, groups or roles that run step-functions commands",
      Value: ref(DEPLOYER_POLICY_ID),
    },
  };
  const where = options.network ? `VPC ${options.network.vpcId}` : "a VPC of its own";
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `flowship: AWS Batch (${compute}, up to ${maxVcpus} vCPUs, ${where}), ${options.bucket ? `bucket ${options.bucket}` : "a new S3 bucket"} and IAM roles for flows on Step Functions (flowship aws stack)`,
    Resources: resources,
    Outputs: outputs as StackTemplate["Outputs"],
  };
}
