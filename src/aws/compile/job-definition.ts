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
import { StepFunctionsOptionError } from "./errors.js";
import { jobDefinitionName } from "./naming.js";
import { JOB_DEFINITION_ENV } from "./task-environment.js";

/** The current Node.js LTS image. */
export const DEFAULT_IMAGE = "node:22";

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
  /** Container image: anything with Node.js >= 20 as `node` on its PATH. @default "node:22" */
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
}

/** The fields of RegisterJobDefinition flowship sets, in the SDK's camelCase. */
export interface JobDefinitionInput {
  jobDefinitionName: string;
  type: "container";
  containerProperties: {
    image: string;
    command: string[];
    /** Defaults; a step's `resources` decorator overrides them per job. */
    resourceRequirements: Array<{ type: "VCPU" | "MEMORY"; value: string }>;
    environment: Array<{ name: string; value: string }>;
    jobRoleArn?: string;
  };
  /** One attempt: retries are the state machine's, so `retry` waits and counts attempts itself. */
  retryStrategy: { attempts: 1 };
  propagateTags: true;
  tags: Record<string, string>;
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
  return {
    jobDefinitionName: options.name ?? jobDefinitionName(options.flow),
    type: "container",
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
    },
    retryStrategy: { attempts: 1 },
    propagateTags: true,
    tags: { "flowship:flow": options.flow, "flowship:version": FLOWSHIP_VERSION },
  };
}
