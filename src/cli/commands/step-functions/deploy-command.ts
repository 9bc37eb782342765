/**
 * The deploying half of `step-functions create` (without --only-json): checks everything it can
 * before any AWS call, calls `deployFlow`, and prints what production now is and what triggers it.
 * Loaded only when deploying, so the AWS SDK never loads on the local path.
 */

import { datastoreLocation } from "../../../aws/batch/datastore-location.js";
import { describeLoops } from "../../../aws/compile/loop-history.js";
import {
  AWS_SETTINGS,
  type PartialAwsSettings,
  redactUrl,
  webhookUrlProblem,
} from "../../../aws/deploy/aws-settings.js";
import { type DeployResult, deployFlow, planDeploy } from "../../../aws/deploy/create.js";
import type { NotifyChoice } from "../../../aws/deploy/notify.js";
import { parseWebhookAuth } from "../../../aws/deploy/notify-webhook.js";
import { checkTag } from "../../../client/run-tags.js";
import { userCacheRoot, webhookAuthFromEnv } from "../../../config.js";
import { openStorage } from "../../../datastore/open-storage.js";
import { UsageError } from "../../../errors.js";
import type { FlowSpec } from "../../../flow/types.js";
import { compileFlow } from "../../../run/compile-flow.js";
import { codeDir } from "../../../runtime/load-flow.js";
import type { FlowCommandContext } from "../../command-context.js";
import { decoratorsFromFlags } from "../../options.js";
import { awsCommandContext, targetChoice } from "./aws-context.js";
import type { CreateChoices, CreateFlags } from "./create.js";
import { describeForeaches } from "./foreach-options.js";

/** The console's Start Execution input for the flow's static defaults, e.g. {"Parameters": "{\"alpha\":0.1}"}. */
export function consoleInput(flow: FlowSpec): string {
  const values = Object.fromEntries(
    flow.parameters
      .filter((p) => p.hasDefault && ["string", "number", "boolean"].includes(typeof p.default))
      .map((p) => [p.name, p.default]),
  );
  return JSON.stringify({ Parameters: JSON.stringify(values) });
}

function triggers(flow: FlowSpec, result: DeployResult): string[] {
  const lines: string[] = [];
  if (result.schedule) {
    const s = result.schedule;
    lines.push(`schedule ${s.name}: ${s.expression} in ${s.timezone}; next at ${s.next.join(", ")}`);
  }
  if (result.triggerOnFinish) {
    const t = result.triggerOnFinish;
    lines.push(`when ${t.upstream.join(" or ")} succeeds (EventBridge rule ${t.rule})`);
  }
  for (const e of result.eventTriggers ?? []) {
    lines.push(`on event ${e.event} on bus ${e.bus} (EventBridge rule ${e.rule})`);
  }
  if (lines.length === 0) {
    lines.push(
      `manual only: step-functions trigger, or Start Execution in the console with input ${consoleInput(flow)}`,
    );
  }
  return lines;
}

/**
 * The alerts the flags ask for, and where they go: the destinations given as flags, else every
 * configured one (settings file or FLOWSHIP_AWS_NOTIFY_*). None without --notify-on-* flags.
 */
function notifyChoice(flags: CreateFlags, configured: PartialAwsSettings): NotifyChoice | undefined {
  const given = { snsTopic: flags.notifySnsTopic, webhookUrl: flags.notifyWebhookUrl };
  if (!flags.notifyOnError && !flags.notifyOnSuccess) {
    const flag = given.snsTopic !== undefined ? "--notify-sns-topic" : "--notify-webhook-url";
    if (given.snsTopic !== undefined || given.webhookUrl !== undefined) {
      throw new UsageError(`${flag} needs --notify-on-error or --notify-on-success.`);
    }
    return undefined;
  }
  const fromFlags = given.snsTopic !== undefined || given.webhookUrl !== undefined;
  const snsTopic = fromFlags ? given.snsTopic : configured.notifySnsTopic;
  const webhookUrl = fromFlags ? given.webhookUrl : configured.notifyWebhookUrl;
  if (snsTopic === undefined && webhookUrl === undefined) {
    throw new UsageError(
      "--notify-on-error and --notify-on-success need somewhere to send alerts: pass --notify-sns-topic ARN or --notify-webhook-url URL, or set them once with flowship configure aws (flowship aws stack deploy --alerts-topic makes a topic, and configure aws --from-stack records it).",
    );
  }
  if (snsTopic !== undefined && !AWS_SETTINGS.notifySnsTopic.valid(snsTopic)) {
    throw new UsageError(
      `Invalid --notify-sns-topic '${snsTopic}': give an SNS topic ARN, e.g. ${AWS_SETTINGS.notifySnsTopic.example}.`,
    );
  }
  const choice: NotifyChoice = { onError: flags.notifyOnError, onSuccess: flags.notifyOnSuccess };
  if (snsTopic !== undefined) choice.snsTopic = snsTopic;
  if (webhookUrl !== undefined) {
    const problem = webhookUrlProblem(webhookUrl);
    if (problem) {
      throw new UsageError(`Invalid --notify-webhook-url '${redactUrl(webhookUrl)}': ${problem}.`);
    }
    if (!configured.eventsRole) {
      throw new UsageError(
        `--notify-webhook-url needs the events role, which EventBridge calls the webhook as: run flowship configure aws ${AWS_SETTINGS.eventsRole.flag} ARN (or set ${AWS_SETTINGS.eventsRole.env}).`,
      );
    }
    const auth = webhookAuthFromEnv();
    choice.webhook = { url: webhookUrl, ...(auth === undefined ? {} : { auth: parseWebhookAuth(auth) }) };
  }
  return choice;
}

export function describeDeploy(flow: FlowSpec, result: DeployResult): string {
  const lines = [
    `Deployed flow ${flow.name} to AWS Step Functions as '${result.name}'.`,
    `  State machine:  ${result.stateMachineArn}`,
    `  Version:        ${result.version} (production: ${result.aliasArn})`,
    `  Namespace:      ${result.namespace}`,
    ...(result.project
      ? [`  Project:        ${result.project.project}, branch ${result.project.branch}`]
      : []),
    `  Code package:   ${result.codePackage.url}${result.codePackage.uploaded ? "" : " (unchanged)"}`,
    ...triggers(flow, result).map(
      (line, i) => `  ${i === 0 ? "Triggered by:  " : "               "} ${line}`,
    ),
  ];
  if (result.notify) {
    lines.push(
      `  Alerts:         runs ending ${result.notify.statuses.join(", ")} → ${result.notify.destinations.join(" and ")}`,
    );
  }
  if (result.notifyRemoved) {
    lines.push(
      "note: the alerts of the previous deployment are removed: this create had no --notify-on-error or --notify-on-success. To keep them, deploy with those flags (the destination set in configure aws is used).",
    );
  }
  if (result.prunedVersions.length > 0) {
    lines.push(
      `  Old versions:   deleted ${result.prunedVersions.join(", ")} (--keep-versions keeps the newest)`,
    );
  }
  for (const line of describeForeaches(result.deployment.foreaches)) lines.push(`  ${line}`);
  for (const line of describeLoops(result.deployment.loops)) lines.push(`  ${line}`);
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  if (result.newToken) {
    lines.push(
      `New production token ${result.token}: production runs land in namespace ${result.namespace}`,
      `(read them with namespace("${result.namespace}")). Others deploy this flow with`,
      `step-functions create --authorize ${result.token}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export async function deploy(
  context: FlowCommandContext,
  flags: CreateFlags,
  choices: CreateChoices,
): Promise<void> {
  if (flags.jobDefinition !== undefined) {
    throw new UsageError(
      "Option --job-definition only applies to --only-json: create registers the flow's own job definition.",
    );
  }
  for (const tag of flags.tag) checkTag(tag);
  const plan = planDeploy(context.flow);
  const aws = await awsCommandContext(context, {
    command: "create",
    ...targetChoice(flags),
    required: plan.settings,
    overrides: { jobQueue: flags.jobQueue, s3Root: flags.s3Root },
  });
  const notify = notifyChoice(flags, aws.settings);
  const globals = context.globals();
  // Compiled into the user's cache: a deployment to S3 leaves nothing in the current folder.
  const compiled = await compileFlow({ file: context.file, outDir: codeDir(userCacheRoot()), withS3: true });
  const result = await deployFlow({
    flow: context.flow,
    compiled,
    ...(notify ? { notify } : {}),
    ...(flags.sourceRoot === undefined ? {} : { sourceRoot: flags.sourceRoot }),
    ...aws,
    storage: await openStorage(datastoreLocation(aws.settings.s3Root!)),
    ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
    generateNewToken: flags.generateNewToken,
    ...(flags.newToken === undefined ? {} : { newToken: flags.newToken }),
    ...(flags.namespace === undefined ? {} : { namespace: flags.namespace }),
    tags: flags.tag,
    keepVersions: choices.keepVersions,
    compile: choices.compile,
    withDecorators: decoratorsFromFlags(globals, flags.with),
  });
  process.stdout.write(describeDeploy(context.flow, result));
}
