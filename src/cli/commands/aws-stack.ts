/**
 * `flowship aws stack print|deploy|delete`: the account stack of src/aws/account — printed as a
 * CloudFormation template, applied through a change set, or deleted (its bucket kept unless
 * `--delete-bucket`). Options are checked before any AWS call; a bad one is a one-line usage error.
 */
import { Command, Option } from "commander";
import type { TemplateValue } from "../../aws/account/cloudformation-values.js";
import { StackOptionError } from "../../aws/account/errors.js";
import { checkStackOptions, type StackOptions, stackTemplate } from "../../aws/account/stack-template.js";
import { toYaml } from "../../aws/account/template-yaml.js";
import { effectiveSettings } from "../../aws/deploy/aws-settings.js";
import { UsageError } from "../../errors.js";
import { parseStandalone } from "../standalone-command.js";

interface TemplateFlags {
  compute: string;
  maxVcpus?: string;
  vpcId?: string;
  subnetIds?: string;
  securityGroupId?: string;
  bucket?: string;
  alertsTopic: boolean;
  batchServiceRole?: string;
}

interface AwsFlags {
  name: string;
  region?: string;
  pollSeconds: string;
}

/**
 * A stack's name: CloudFormation's rule, and short enough that `<name>-step-functions` is an IAM
 * role name (64 characters at most).
 */
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,48}$/;

function templateOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--compute <kind>", "where jobs run: fargate, ec2 (on-demand instances) or spot").default(
        "fargate",
      ),
    )
    .option("--max-vcpus <n>", "the most vCPUs running at once, a ceiling on cost (default: 64)")
    .option(
      "--vpc-id <id>",
      "an existing VPC (with --subnet-ids and --security-group-id); default: a VPC of its own",
    )
    .option("--subnet-ids <ids>", "subnets of that VPC for the jobs, comma-separated")
    .option("--security-group-id <id>", "a security group of that VPC that allows outbound HTTPS")
    .option(
      "--bucket <name>",
      "an existing S3 bucket for the datastore; default: a new one, kept when the stack is deleted",
    )
    .option("--alerts-topic", "create an SNS topic for step-functions create --notify-on-error", false)
    .option("--batch-service-role <arn>", "a Batch service role; default: Batch's service-linked role");
}

function awsOptions(command: Command): Command {
  return command
    .requiredOption("--name <name>", "the CloudFormation stack's name; also the prefix of its IAM role names")
    .option(
      "--region <region>",
      "the AWS region (default: configure aws's, else AWS_REGION or the profile's)",
    )
    .option("--poll-seconds <s>", "seconds between status checks", "5");
}

function program(): Command {
  const help = (c: Command) => c.helpOption("-h, --help", "print this help").helpCommand(false);
  return help(
    new Command("flowship aws stack").description(
      "the CloudFormation stack of an AWS account for flowship: Batch compute environment and job queue (Fargate, EC2 or Spot), a VPC, the S3 bucket, the IAM roles and the deployer's policy",
    ),
  )
    .addCommand(
      help(
        templateOptions(new Command("print"))
          .description("print the stack's CloudFormation template")
          .addOption(
            new Option("--format <format>", "json or yaml").choices(["json", "yaml"]).default("json"),
          ),
      ),
    )
    .addCommand(
      help(
        awsOptions(templateOptions(new Command("deploy"))).description(
          "create or update the stack through a change set, printing progress; needs CAPABILITY_NAMED_IAM rights (an administrator)",
        ),
      ),
    )
    .addCommand(
      help(
        awsOptions(new Command("delete"))
          .description("delete the stack; the bucket it made is kept (with every run) unless --delete-bucket")
          .option(
            "--delete-bucket",
            "then empty and delete the bucket the stack made (every run and code package)",
            false,
          ),
      ),
    );
}

/** The template options from the flags, every bad value a one-line usage error. */
export function stackOptionsFrom(flags: TemplateFlags): StackOptions {
  const network = [flags.vpcId, flags.subnetIds, flags.securityGroupId];
  if (network.some((v) => v !== undefined) && !network.every((v) => v !== undefined)) {
    throw new UsageError(
      "Incomplete network: --vpc-id, --subnet-ids and --security-group-id go together (or leave all three out for a VPC of the stack's own).",
    );
  }
  let maxVcpus: number | undefined;
  if (flags.maxVcpus !== undefined) {
    maxVcpus = /^\d+$/.test(flags.maxVcpus) ? Number(flags.maxVcpus) : Number.NaN;
  }
  const options: StackOptions = {
    compute: flags.compute as StackOptions["compute"],
    ...(maxVcpus !== undefined ? { maxVcpus } : {}),
    ...(flags.vpcId
      ? {
          network: {
            vpcId: flags.vpcId,
            subnetIds: flags
              .subnetIds!.split(",")
              .map((s) => s.trim())
              .filter((s) => s !== ""),
            securityGroupId: flags.securityGroupId!,
          },
        }
      : {}),
    ...(flags.bucket !== undefined ? { bucket: flags.bucket } : {}),
    alertsTopic: flags.alertsTopic,
    ...(flags.batchServiceRole !== undefined ? { batchServiceRole: flags.batchServiceRole } : {}),
  };
  try {
    checkStackOptions(options);
  } catch (error) {
    // NaN from a malformed number reads better as what was typed.
    if (error instanceof StackOptionError && maxVcpus !== undefined && Number.isNaN(maxVcpus)) {
      throw new StackOptionError({
        option: "--max-vcpus",
        value: flags.maxVcpus!,
        expected: "a whole number from 1 to 10000",
      });
    }
    throw error;
  }
  return options;
}

function awsContext(flags: AwsFlags) {
  if (!STACK_NAME.test(flags.name)) {
    throw new UsageError(
      `Invalid --name '${flags.name}': a letter, then up to 48 letters, digits or hyphens (role names are '<name>-step-functions', at most 64 characters).`,
    );
  }
  const pollSeconds = Number(flags.pollSeconds);
  if (!Number.isFinite(pollSeconds) || pollSeconds < 0 || flags.pollSeconds.trim() === "") {
    throw new UsageError(`Invalid --poll-seconds '${flags.pollSeconds}': give a number of seconds, e.g. 5.`);
  }
  const region = flags.region ?? effectiveSettings().region;
  if (!region) {
    throw new UsageError(
      "No AWS region for flowship aws stack: give --region, or set AWS_REGION (or FLOWSHIP_AWS_REGION).",
    );
  }
  return { name: flags.name, region, pollMs: pollSeconds * 1000 };
}

async function deploy(flags: TemplateFlags & AwsFlags): Promise<number> {
  const template = stackTemplate(stackOptionsFrom(flags));
  const context = awsContext(flags);
  const { deployStack } = await import("../../aws/account/stack-deploy.js");
  const { outcome, outputs } = await deployStack({ ...context, template });
  if (outcome === "unchanged") {
    process.stdout.write(`Stack ${context.name} in ${context.region} is up to date: no changes to deploy.\n`);
  } else {
    process.stdout.write(`Stack ${context.name} ${outcome} in ${context.region}. Its outputs:\n`);
    const width = Math.max(...Object.keys(outputs).map((k) => k.length));
    for (const [key, value] of Object.entries(outputs))
      process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
  }
  process.stdout.write(
    `Next: flowship configure aws --from-stack ${context.name}${flags.region ? ` --region ${context.region}` : ""}, then attach the policy ${outputs.DeployerPolicy ?? "DeployerPolicy"} to whoever deploys flows.\n`,
  );
  return 0;
}

async function remove(flags: AwsFlags & { deleteBucket: boolean }): Promise<number> {
  const context = awsContext(flags);
  const { deleteBucket, deleteStack } = await import("../../aws/account/stack-deploy.js");
  const { deleted, retainedBucket } = await deleteStack(context);
  if (!deleted) {
    process.stdout.write(`No stack named ${context.name} in ${context.region}: nothing to delete.\n`);
    return 0;
  }
  process.stdout.write(`Deleted stack ${context.name} in ${context.region}.\n`);
  if (!retainedBucket) {
    process.stdout.write(
      `The stack used an existing bucket, which it never owned${flags.deleteBucket ? ": --delete-bucket deleted nothing" : ""}.\n`,
    );
  } else if (flags.deleteBucket) {
    const count = await deleteBucket({ bucket: retainedBucket, region: context.region });
    process.stdout.write(
      `Deleted bucket ${retainedBucket} and its ${count} object${count === 1 ? "" : "s"}.\n`,
    );
  } else {
    process.stdout.write(
      `Kept bucket ${retainedBucket} with every run and code package; delete it with --delete-bucket (or aws s3 rb --force s3://${retainedBucket}).\n`,
    );
  }
  return 0;
}

/** Entry of `flowship aws stack …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const command = program();
  const [print, deployCommand, deleteCommand] = command.commands as [Command, Command, Command];
  let chosen: (() => Promise<number>) | undefined;
  print.action((flags: TemplateFlags & { format: string }) => {
    chosen = async () => {
      if (flags.format !== "json" && flags.format !== "yaml") {
        throw new UsageError(`Invalid --format '${flags.format}': give json or yaml.`);
      }
      const template = stackTemplate(stackOptionsFrom(flags));
      process.stdout.write(
        flags.format === "yaml"
          ? toYaml(template as unknown as TemplateValue)
          : `${JSON.stringify(template, null, 2)}\n`,
      );
      return 0;
    };
  });
  deployCommand.action((flags: TemplateFlags & AwsFlags) => {
    chosen = () => deploy(flags);
  });
  deleteCommand.action((flags: AwsFlags & { deleteBucket: boolean }) => {
    chosen = () => remove(flags);
  });
  if (!parseStandalone([command, print, deployCommand, deleteCommand], argv, "flowship aws stack")) return 0;
  if (!chosen) {
    process.stdout.write(command.helpInformation());
    return argv.length === 0 ? 2 : 0;
  }
  return chosen();
}
