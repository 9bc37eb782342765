/**
 * `flowship aws stack print|deploy|delete`: the account stack of src/aws/account — printed as a
 * CloudFormation template, applied through a change set, or deleted (its bucket kept unless
 * `--delete-bucket`). Options are checked before any AWS call; a bad one is a one-line usage error.
 */
import { Command, Option } from "commander";
import type { TemplateValue } from "../../aws/account/cloudformation-values.js";
import { StackOptionError } from "../../aws/account/errors.js";
import type { StackProgress } from "../../aws/account/stack-deploy.js";
import { checkStackOptions, type StackOptions, stackTemplate } from "../../aws/account/stack-template.js";
import { toYaml } from "../../aws/account/template-yaml.js";
import { AWS_SETTINGS, effectiveSettings, readSettingsFile } from "../../aws/deploy/aws-settings.js";
import { awsSettingsFromEnv, configFilePath } from "../../config.js";
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
  timeoutMinutes: string;
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
    .option("--poll-seconds <s>", "seconds between status checks, 0.1 to 300", "5")
    .option(
      "--timeout-minutes <m>",
      "stop waiting after this long (CloudFormation goes on), up to 1440",
      "60",
    );
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
export function stackOptionsFrom(flags: TemplateFlags, help = "flowship aws stack deploy"): StackOptions {
  const network = [flags.vpcId, flags.subnetIds, flags.securityGroupId];
  if (network.some((v) => v !== undefined) && !network.every((v) => v !== undefined)) {
    throw new UsageError(
      `Incomplete network: --vpc-id, --subnet-ids and --security-group-id go together (or leave all three out for a VPC of the stack's own). Run ${help} --help.`,
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
    if (!(error instanceof StackOptionError)) throw error;
    // NaN from a malformed number reads better as what was typed.
    if (error.facts.option === "--max-vcpus" && Number.isNaN(maxVcpus)) {
      throw new StackOptionError({
        option: "--max-vcpus",
        value: flags.maxVcpus!,
        expected: "a whole number from 1 to 10000",
        help,
      });
    }
    throw new StackOptionError({ ...error.facts, help });
  }
  return options;
}

/** A number option within bounds, or a one-line usage error naming it. */
function boundedNumber(option: string, text: string, min: number, max: number, help: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < min || value > max) {
    throw new UsageError(
      `Invalid ${option} '${text}': give a number from ${min} to ${max}. Run ${help} --help.`,
    );
  }
  return value;
}

/** Where a region not given as --region came from, for its error. */
function regionSource(region: string): string {
  if (awsSettingsFromEnv().region === region) return AWS_SETTINGS.region.env;
  if (readSettingsFile().region === region) return `the settings file ${configFilePath()}`;
  return "AWS_REGION (or AWS_DEFAULT_REGION)";
}

function awsContext(flags: AwsFlags, help: string) {
  if (!STACK_NAME.test(flags.name)) {
    throw new UsageError(
      `Invalid --name '${flags.name}': a letter, then up to 48 letters, digits or hyphens (role names are '<name>-step-functions', at most 64 characters). Run ${help} --help.`,
    );
  }
  // Node's timers hold at most 2^31-1 ms (about 24.8 days); 300 s is a slow enough poll.
  const pollSeconds = boundedNumber("--poll-seconds", flags.pollSeconds, 0.1, 300, help);
  const timeoutMinutes = boundedNumber("--timeout-minutes", flags.timeoutMinutes, 0.01, 1440, help);
  // The same rule as the region setting of `flowship configure aws`.
  const rule = AWS_SETTINGS.region;
  if (flags.region !== undefined && !rule.valid(flags.region)) {
    throw new UsageError(
      `Invalid --region '${flags.region}': give an ${rule.label} such as ${rule.example}. Run ${help} --help.`,
    );
  }
  const region = flags.region ?? effectiveSettings().region;
  if (!region) {
    throw new UsageError(
      `No AWS region for ${help}: give --region, or set AWS_REGION (or FLOWSHIP_AWS_REGION).`,
    );
  }
  // One the SDK would send a request to anyway (an endpoint that does not exist).
  if (!rule.valid(region)) {
    throw new UsageError(
      `Invalid AWS region '${region}' from ${regionSource(region)}: give an ${rule.label} such as ${rule.example} there, or --region. Run ${help} --help.`,
    );
  }
  return { name: flags.name, region, pollMs: pollSeconds * 1000, timeoutMs: timeoutMinutes * 60_000 };
}

/**
 * What a Ctrl-C leaves behind, in one line: CloudFormation goes on with what it was asked, so the
 * user is told where the stack stands and what to run next.
 */
function interruptedLine(name: string, progress: StackProgress | "deploy" | "delete"): string {
  const deployAgain = `\`flowship aws stack deploy --name ${name}\``;
  const deleteIt = `\`flowship aws stack delete --name ${name}\``;
  const events = `\`aws cloudformation describe-stack-events --stack-name ${name}\``;
  if (progress === "deploy") return `Interrupted: stack ${name} is unchanged. Run ${deployAgain} again.`;
  if (progress === "delete") return `Interrupted: stack ${name} was not deleted. Run ${deleteIt} again.`;
  switch (progress.phase) {
    case "change-set":
      return `Interrupted: change set ${progress.changeSet} of stack ${name} was created but not executed, so the stack is unchanged. Run ${deployAgain} again${progress.create ? `, or ${deleteIt} to drop the empty stack` : ""}.`;
    case "executing":
      return `Interrupted: CloudFormation is still deploying stack ${name} (change set ${progress.changeSet}); it goes on without flowship. Follow it with ${events}; once it settles, run ${deployAgain} again (or ${deleteIt}).`;
    case "deleting":
      return `Interrupted: CloudFormation is still deleting stack ${name}; it goes on without flowship. Follow it with ${events}.${progress.bucket ? ` Its bucket ${progress.bucket} is kept: delete it later with \`aws s3 rb --force s3://${progress.bucket}\`.` : ""}`;
  }
}

/** Runs `work`; a Ctrl-C meanwhile prints where the stack stands and exits 130. */
async function interruptible<T>(
  name: string,
  start: "deploy" | "delete",
  work: (onProgress: (progress: StackProgress) => void) => Promise<T>,
): Promise<T> {
  let progress: StackProgress | "deploy" | "delete" = start;
  const interrupted = () => {
    process.stderr.write(`${interruptedLine(name, progress)}\n`);
    process.exit(130);
  };
  process.once("SIGINT", interrupted);
  try {
    return await work((p) => {
      progress = p;
    });
  } finally {
    process.off("SIGINT", interrupted);
  }
}

async function deploy(flags: TemplateFlags & AwsFlags): Promise<number> {
  const help = "flowship aws stack deploy";
  const template = stackTemplate(stackOptionsFrom(flags));
  const context = awsContext(flags, help);
  const { deployStack } = await import("../../aws/account/stack-deploy.js");
  const { outcome, outputs } = await interruptible(context.name, "deploy", (onProgress) =>
    deployStack({ ...context, template, onProgress }),
  );
  if (outcome === "unchanged") {
    process.stdout.write(`Stack ${context.name} in ${context.region} is up to date: no changes to deploy.\n`);
  } else {
    process.stdout.write(`Stack ${context.name} ${outcome} in ${context.region}. Its outputs:\n`);
    const width = Math.max(...Object.keys(outputs).map((k) => k.length));
    for (const [key, value] of Object.entries(outputs))
      process.stdout.write(`  ${key.padEnd(width)}  ${value}\n`);
  }
  const policy = outputs.DeployerPolicy ?? "<the DeployerPolicy output>";
  process.stdout.write(
    [
      "Next:",
      `  1. flowship configure aws --from-stack ${context.name}${flags.region ? ` --region ${context.region}` : ""}`,
      `  2. attach the deployer policy to the users, groups or roles that deploy flows: aws iam attach-user-policy --user-name <user> --policy-arn ${policy} (or attach-group-policy --group-name, attach-role-policy --role-name)`,
      "  3. flowship aws doctor",
      "",
    ].join("\n"),
  );
  return 0;
}

async function remove(flags: AwsFlags & { deleteBucket: boolean }): Promise<number> {
  const context = awsContext(flags, "flowship aws stack delete");
  const { deleteBucket, deleteStack, deletedStackBucket } = await import("../../aws/account/stack-delete.js");
  const { deleted, retainedBucket } = await interruptible(context.name, "delete", (onProgress) =>
    deleteStack({ ...context, onProgress }),
  );
  const rb = (bucket: string) => `\`aws s3 rb --force s3://${bucket}\``;
  if (!deleted) {
    process.stdout.write(`No stack named ${context.name} in ${context.region}: nothing to delete.\n`);
    if (flags.deleteBucket) {
      // Never a silent orphan: the bucket an earlier delete of this stack kept is named.
      const bucket = await deletedStackBucket(context);
      process.stdout.write(
        bucket
          ? `The stack ${context.name} deleted earlier kept bucket ${bucket}; flowship deletes a bucket only with its stack: delete it with ${rb(bucket)}.\n`
          : `--delete-bucket deleted nothing: no stack named ${context.name} was deleted with a bucket it kept.\n`,
      );
    }
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
      `Kept bucket ${retainedBucket} with every run and code package; delete it later with ${rb(retainedBucket)} (or delete the stack with --delete-bucket next time).\n`,
    );
  }
  return 0;
}

/**
 * Refuses an option given twice with different values (`--name x --name y`): commander would keep
 * the last one without a word.
 */
function refuseRepeatedOptions(command: Command, args: readonly string[], help: string): void {
  const seen = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "--") break;
    if (!arg.startsWith("--")) continue;
    const equals = arg.indexOf("=");
    const flag = equals === -1 ? arg : arg.slice(0, equals);
    const option = command.options.find((o) => o.long === flag);
    if (!option || !(option.required || option.optional)) continue;
    const value = equals === -1 ? args[++i] : arg.slice(equals + 1);
    if (value === undefined) continue;
    const previous = seen.get(flag);
    if (previous !== undefined && previous !== value) {
      throw new UsageError(
        `Option ${flag} given twice, as '${previous}' and as '${value}': give it once. Run ${help} --help.`,
      );
    }
    seen.set(flag, value);
  }
}

/** Entry of `flowship aws stack …`; returns the exit code. */
export async function run(argv: string[]): Promise<number> {
  const command = program();
  const [print, deployCommand, deleteCommand] = command.commands as [Command, Command, Command];
  let chosen: (() => Promise<number>) | undefined;
  print.action((flags: TemplateFlags & { format: string }) => {
    chosen = async () => {
      if (flags.format !== "json" && flags.format !== "yaml") {
        throw new UsageError(
          `Invalid --format '${flags.format}': give json or yaml. Run flowship aws stack print --help.`,
        );
      }
      const template = stackTemplate(stackOptionsFrom(flags, "flowship aws stack print"));
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
  // No subcommand: the help, and exit 2, as `flowship aws` does (commander would print nothing).
  if (argv.length === 0) {
    process.stdout.write(command.helpInformation());
    return 2;
  }
  // A subcommand's usage error points to that subcommand's help.
  const sub = command.commands.find((c) => c.name() === argv[0]);
  const help = sub ? `flowship aws stack ${sub.name()}` : "flowship aws stack";
  if (sub) refuseRepeatedOptions(sub, argv.slice(1), help);
  if (!parseStandalone([command, print, deployCommand, deleteCommand], argv, help)) return 0;
  if (!chosen) {
    process.stdout.write(command.helpInformation());
    return 0;
  }
  return chosen();
}
