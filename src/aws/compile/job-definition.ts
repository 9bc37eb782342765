/**
 * The Batch job definition every step of a flow runs with: the container image, the command (the
 * flowship Batch entrypoint) and where the code package and the datastore are. Per-step settings
 * (resources, timeout, environment) are overrides in the state machine, so one definition serves
 * the whole flow. Built as the input of RegisterJobDefinition, without calling AWS.
 *
 * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_RegisterJobDefinition.html
 */
import { FLOWSHIP_VERSION } from "../../version.js";
import { bootstrapCommand } from "./bootstrap-command.js";
import { ASSIGN_PUBLIC_IP, type AssignPublicIp, type ComputeKind } from "./compile-options.js";
import { StepFunctionsOptionError } from "./errors.js";
import { jobDefinitionName } from "./naming.js";
import { JOB_DEFINITION_ENV } from "./task-environment.js";

/**
 * The official Node.js LTS image, from AWS's ECR Public mirror of Docker Hub's official images:
 * Docker Hub limits anonymous pulls per IP address, so a wide foreach starting on fresh instances
 * could fail to pull `node:22` there. The slim variant holds all the bootstrap needs (`node`; Node
 * verifies TLS with its own CA certificates, and extracts the package itself).
 * @see https://gallery.ecr.aws/docker/library/node
 */
export const DEFAULT_IMAGE = "public.ecr.aws/docker/library/node:22-slim";

/**
 * Runs one task: a dependency-free bootstrap fetches the code package, checks its sha256 and runs
 * the flowship runtime packaged beside the flow (see bootstrap-command.ts).
 */
export function defaultCommand(): string[] {
  return bootstrapCommand();
}

export interface JobDefinitionOptions {
  /** Flow name; also names the job definition `flowship-<flow>`. */
  flow: string;
  /** URL of the code package, e.g. `s3://bucket/flowship/Flow/code/<sha>.tgz`. */
  codePackageUrl: string;
  /** sha256 (hex) of the code package, checked by the task before running it. */
  codePackageSha256: string;
  /** S3 datastore root, `s3://bucket/prefix`. */
  datastoreRoot: string;
  /**
   * AWS region of the deployment: the bootstrap and the S3 client in the container use it.
   * @default "us-east-1"
   */
  region?: string;
  /**
   * Container image: anything with Node.js >= 20 as `node` on its PATH.
   * @default "public.ecr.aws/docker/library/node:22-slim"
   */
  image?: string;
  /** Container command. @default the bootstrap: `node --input-type=module -e <bootstrap>` */
  command?: readonly string[];
  /**
   * IAM role the task's AWS calls use (S3 datastore access). Credentials never go into the job.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/job-definition-parameters.html#ContainerProperties-jobRoleArn
   */
  jobRoleArn?: string;
  /** Job definition name. @default "flowship-<flow>" */
  name?: string;
  /** The kind of compute environment the job queue has. @default "ec2" */
  compute?: ComputeKind;
  /**
   * Fargate only, and required there: the role ECS pulls the image and writes the logs as.
   * @see https://docs.aws.amazon.com/batch/latest/userguide/execution-IAM-role.html
   */
  executionRoleArn?: string;
  /**
   * Fargate only: whether the job gets a public IP. A job in a subnet without a NAT route needs one
   * to pull the image and to reach S3.
   * @default "ENABLED"
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_NetworkConfiguration.html
   */
  assignPublicIp?: AssignPublicIp;
  /**
   * Fargate only: the platform version, `LATEST` or e.g. `1.4.0`.
   * @default "LATEST"
   * @see https://docs.aws.amazon.com/batch/latest/APIReference/API_FargatePlatformConfiguration.html
   */
  fargatePlatformVersion?: string;
}

/** The fields of RegisterJobDefinition flowship sets, in the SDK's camelCase. */
export interface JobDefinitionInput {
  jobDefinitionName: string;
  type: "container";
  /** Fargate only; EC2 job definitions leave it out (AWS's default is EC2). */
  platformCapabilities?: ["FARGATE"];
  containerProperties: {
    image: string;
    command: string[];
    /** Defaults; a step's `resources` decorator overrides them per job. */
    resourceRequirements: Array<{ type: "VCPU" | "MEMORY"; value: string }>;
    environment: Array<{ name: string; value: string }>;
    jobRoleArn?: string;
    executionRoleArn?: string;
    networkConfiguration?: { assignPublicIp: AssignPublicIp };
    fargatePlatformConfiguration?: { platformVersion: string };
  };
  /** One attempt: retries are the state machine's, so `retry` waits and counts attempts itself. */
  retryStrategy: { attempts: 1 };
  propagateTags: true;
  tags: Record<string, string>;
}

/**
 * What a Fargate job definition adds to the container properties. The default resources (1 vCPU,
 * 4096 MiB) are already a valid Fargate pair.
 * @see https://docs.aws.amazon.com/batch/latest/userguide/fargate-job-definitions.html
 */
function fargateSettings(options: JobDefinitionOptions) {
  const executionRoleArn = options.executionRoleArn ?? "";
  if (executionRoleArn.trim() === "") {
    throw new StepFunctionsOptionError({
      option: "executionRoleArn",
      value: executionRoleArn,
      expected:
        "the ARN of an execution role: Fargate jobs need one (flowship configure aws --execution-role)",
    });
  }
  const assignPublicIp = options.assignPublicIp ?? "ENABLED";
  if (!ASSIGN_PUBLIC_IP.includes(assignPublicIp)) {
    throw new StepFunctionsOptionError({
      option: "assignPublicIp",
      value: assignPublicIp,
      expected: ASSIGN_PUBLIC_IP.join(" or "),
    });
  }
  return {
    executionRoleArn,
    networkConfiguration: { assignPublicIp },
    fargatePlatformConfiguration: { platformVersion: options.fargatePlatformVersion ?? "LATEST" },
  };
}

/** The job definition of a flow, as a RegisterJobDefinition input. */
export function compileJobDefinition(options: JobDefinitionOptions): JobDefinitionInput {
  const command = [...(options.command ?? defaultCommand())];
  if (command.length === 0 || command.some((part) => part === "")) {
    throw new StepFunctionsOptionError({
      option: "command",
      value: command,
      expected: "a non-empty list of non-empty words",
    });
  }
  const fargate = options.compute === "fargate" ? fargateSettings(options) : undefined;
  return {
    jobDefinitionName: options.name ?? jobDefinitionName(options.flow),
    type: "container",
    ...(fargate ? { platformCapabilities: ["FARGATE"] as ["FARGATE"] } : {}),
    containerProperties: {
      image: options.image ?? DEFAULT_IMAGE,
      command,
      resourceRequirements: [
        { type: "VCPU", value: "1" },
        { type: "MEMORY", value: "4096" },
      ],
      environment: [
        { name: JOB_DEFINITION_ENV.codePackageUrl, value: options.codePackageUrl },
        { name: JOB_DEFINITION_ENV.codePackageSha256, value: options.codePackageSha256 },
        { name: JOB_DEFINITION_ENV.datastoreRoot, value: options.datastoreRoot },
        { name: JOB_DEFINITION_ENV.flow, value: options.flow },
        // The SDK's own variable, so the bootstrap and the task's S3 client agree on it.
        { name: "AWS_REGION", value: options.region ?? "us-east-1" },
      ],
      ...(options.jobRoleArn === undefined ? {} : { jobRoleArn: options.jobRoleArn }),
      ...fargate,
    },
    retryStrategy: { attempts: 1 },
    propagateTags: true,
    tags: { "flowship:flow": options.flow, "flowship:version": FLOWSHIP_VERSION },
  };
}
