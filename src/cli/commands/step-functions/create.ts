/**
 * `step-functions create`: deploys a new version of the flow to AWS Step Functions and makes it
 * the production version (see aws/deploy/create.ts). With `--only-json` it prints the state
 * machine definition and touches nothing else, no AWS account needed.
 */

import type { Command } from "commander";
import {
  DEFAULT_MAX_WORKERS,
  DEFAULT_TASK_TIMEOUT_SECONDS,
  PLACEHOLDERS,
} from "../../../aws/compile/compile-options.js";
import { compileStepFunctions } from "../../../aws/compile/compile-step-functions.js";
import type { DefinitionStats } from "../../../aws/compile/limits.js";
import { LIMITS } from "../../../aws/compile/limits.js";
import { describeLoops } from "../../../aws/compile/loop-history.js";
import { unusedBatchOptionNotes } from "../../../aws/compile/unused-batch-options.js";
import { AWS_SETTINGS, configuredCompute } from "../../../aws/deploy/aws-settings.js";
import type { DeployCompileOptions } from "../../../aws/deploy/deploy-types.js";
import { DEFAULT_KEEP_VERSIONS } from "../../../aws/deploy/publish-version.js";
import { currentUser } from "../../../config.js";
import { UsageError } from "../../../errors.js";
import { projectedFlowName, resolveBranch } from "../../../flow/project.js";
import type { FlowSpec } from "../../../flow/types.js";
import { addBranchOptions, branchChoice } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { collect, decoratorsFromFlags, wholeNumberOption } from "../../options.js";
import { NAME_OPTION } from "./aws-context.js";
import {
  addForeachOptions,
  type CompileFlags,
  describeForeaches,
  foreachCompileOptions,
} from "./foreach-options.js";

export interface CreateFlags extends CompileFlags {
  onlyJson: boolean;
  name?: string;
  branch?: string;
  production?: boolean;
  keepVersions: string;
  taskTimeout: string;
  workflowTimeout?: string;
  jobQueue?: string;
  jobDefinition?: string;
  s3Root?: string;
  with: string[];
  sourceRoot?: string;
  authorize?: string;
  generateNewToken: boolean;
  newToken?: string;
  namespace?: string;
  tag: string[];
  notifyOnError: boolean;
  notifyOnSuccess: boolean;
  notifySnsTopic?: string;
  notifyWebhookUrl?: string;
}

function summary(name: string, stats: DefinitionStats): string {
  const n = (value: number) => value.toLocaleString("en-US");
  return (
    `State machine '${name}': ${stats.states} states, ${n(stats.definitionBytes)} bytes ` +
    `(${n(stats.bytesPerStep)} per step, limit ${n(LIMITS.definitionBytes)}); ` +
    `largest container overrides ${n(stats.largestOverrides.chars)} of ${n(LIMITS.containerOverridesChars)} characters; ` +
    `state payload at most ${n(stats.estimatedPayloadBytes)} of ${n(LIMITS.payloadBytes)} bytes.\n`
  );
}

/** What `create` deploys with besides its settings, from its flags, checked. */
export interface CreateChoices {
  /** The compile options, carried whole to the compiler: here with --only-json, else by the deploy. */
  compile: DeployCompileOptions;
  keepVersions: number;
}

/**
 * The numeric and foreach flags, checked in the order they are listed: the foreach ones as
 * simulate checks them (foreachCompileOptions), then the timeouts and --keep-versions.
 */
function createChoices(flags: CreateFlags, self: Command, flow: FlowSpec): CreateChoices {
  const compile: DeployCompileOptions = {
    ...foreachCompileOptions(flags, self, flow),
    taskTimeoutSeconds: wholeNumberOption("--task-timeout", flags.taskTimeout, 60),
  };
  const keepVersions = wholeNumberOption("--keep-versions", flags.keepVersions, 1);
  if (flags.workflowTimeout !== undefined) {
    compile.workflowTimeoutSeconds = wholeNumberOption("--workflow-timeout", flags.workflowTimeout, 1);
  }
  return { compile, keepVersions };
}

export function registerCreate(group: Command, context: FlowCommandContext): void {
  const command = addForeachOptions(
    addBranchOptions(addCreateOptions(group.command("create")), context.flow),
  );
  command.action((flags: CreateFlags, self: Command) => create(context, flags, self));
}

/** The options of `create` before the branch and foreach ones, in the order --help lists them. */
function addCreateOptions(command: Command): Command {
  return command
    .description("deploy a new version of the flow to AWS Step Functions and make it the production version")
    .option("--only-json", "print the state machine definition (JSON) to stdout and deploy nothing", false)
    .option(...NAME_OPTION)
    .option(
      "--max-workers <n>",
      "most foreach iterations running at once; 0 means no limit",
      String(DEFAULT_MAX_WORKERS),
    )
    .option("--workflow-timeout <seconds>", "fail an execution that runs longer than this")
    .option(
      "--task-timeout <seconds>",
      "fail a step's Batch job that has not finished after this long, queue time included (steps without a timeout decorator)",
      String(DEFAULT_TASK_TIMEOUT_SECONDS),
    )
    .option(
      "--keep-versions <n>",
      "published versions to keep, newest first; older ones are deleted (the production one never is)",
      String(DEFAULT_KEEP_VERSIONS),
    )
    .option(
      "--job-queue <queue>",
      `AWS Batch job queue name or ARN (default: the configured one, FLOWSHIP_AWS_JOB_QUEUE; with --only-json the placeholder ${PLACEHOLDERS.jobQueue})`,
    )
    .option(
      "--job-definition <name>",
      "with --only-json: AWS Batch job definition name or ARN (default: flowship-<flow>)",
    )
    .option(
      "--s3-root <url>",
      "S3 datastore root s3://bucket/prefix (default: the configured one, FLOWSHIP_AWS_S3_ROOT; with --only-json a placeholder bucket)",
    )
    .option("--with <decorator>", "add a decorator to every step that has none of its kind", collect, [])
    .option(
      "--source-root <dir>",
      "the project folder whose sources the code package ships (default: the current folder when it holds the flow file, else the flow file's folder)",
    )
    .option("--authorize <token>", "production token of the deployment, needed when someone else deployed it")
    .option("--generate-new-token", "move production runs to a new namespace with a new token", false)
    .option("--new-token <token>", "move production runs to the namespace production:<token>")
    .option("--namespace <namespace>", "Client API namespace of the tasks (default: production:<token>)")
    .option("--tag <tag>", "tag every production run with this tag (repeatable)", collect, [])
    .option(
      "--notify-on-error",
      "alert the SNS topic and/or webhook when a run fails, times out or is aborted",
      false,
    )
    .option("--notify-on-success", "alert the SNS topic and/or webhook when a run succeeds", false)
    .option(
      "--notify-sns-topic <arn>",
      "SNS topic of the alerts (default: the configured one, FLOWSHIP_AWS_NOTIFY_SNS_TOPIC); without --notify-on-* flags, create removes the alerts",
    )
    .option(
      "--notify-webhook-url <url>",
      "HTTPS webhook of the alerts, e.g. Slack's (default: the configured one, FLOWSHIP_AWS_NOTIFY_WEBHOOK_URL, which keeps a secret URL out of shell history); its header from FLOWSHIP_AWS_NOTIFY_WEBHOOK_AUTH",
    );
}

/**
 * --job-queue and --s3-root of a deploy by the rules of their settings, naming the flag: the
 * compiler would name its own option (`datastoreRoot`), which the user never typed.
 */
function checkSettingFlags(flags: CreateFlags): void {
  for (const [flag, name] of [
    ["--job-queue", "jobQueue"],
    ["--s3-root", "s3Root"],
  ] as const) {
    const value = flags[name];
    const rule = AWS_SETTINGS[name];
    if (value !== undefined && !rule.valid(value)) {
      throw new UsageError(`Invalid ${flag} '${value}': give an ${rule.label} such as ${rule.example}.`);
    }
  }
}

/** Checks the flags and compiles; prints the definition with --only-json, else deploys it. */
async function create(context: FlowCommandContext, flags: CreateFlags, self: Command): Promise<void> {
  const globals = context.globals();
  // With --only-json they may be placeholders of the user's own template (`${MyQueue}`).
  if (!flags.onlyJson) checkSettingFlags(flags);
  const choices = createChoices(flags, self, context.flow);
  // In a project, the definition is the branch's: its name, and so its job definition's.
  const branch = resolveBranch(context.flow, branchChoice(context.flow, flags), currentUser());
  const name = flags.name ?? (branch ? projectedFlowName(branch, context.flow.name) : undefined);
  const compiled = compileStepFunctions(context.flow, {
    ...choices.compile,
    ...(name === undefined ? {} : { name }),
    ...(flags.jobQueue === undefined ? {} : { jobQueue: flags.jobQueue }),
    ...(flags.jobDefinition === undefined ? {} : { jobDefinition: flags.jobDefinition }),
    ...(flags.s3Root === undefined ? {} : { datastoreRoot: flags.s3Root }),
    withDecorators: decoratorsFromFlags(globals, flags.with),
    // A step's resources as the configured compute gets them (flowship configure aws --compute).
    compute: configuredCompute(),
  });
  for (const note of unusedBatchOptionNotes(context.flow, decoratorsFromFlags(globals, flags.with))) {
    process.stderr.write(`${note}\n`);
  }
  if (!flags.onlyJson) {
    const { deploy } = await import("./deploy-command.js");
    await deploy(context, flags, choices);
    return;
  }
  process.stdout.write(`${JSON.stringify(compiled.definition, null, 2)}\n`);
  process.stderr.write(summary(compiled.name, compiled.stats));
  for (const line of describeForeaches(compiled.foreaches)) process.stderr.write(`${line}\n`);
  for (const line of describeLoops(compiled.loops)) process.stderr.write(`${line}\n`);
}
