/**
 * The settings an account stack provides, read from its outputs (cloudformation:DescribeStacks),
 * for `flowship configure aws --from-stack`: each output of {@link OUTPUT_SETTINGS} gives the
 * setting of the same name. A stack that lacks the outputs every flowship stack has (another
 * project's stack, or one whose create did not complete) is refused, naming its status.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 *
 * @example
 * const { settings, stack } = await settingsFromStack({ name: "flowship", region: "eu-west-1" });
 */
import { CloudFormationClient, DescribeStacksCommand, type Stack } from "@aws-sdk/client-cloudformation";
import { FlowshipError } from "../../errors.js";
import {
  AWS_SETTINGS,
  type AwsSettingName,
  type PartialAwsSettings,
  type SettingsStack,
} from "../deploy/aws-settings.js";
import { awsCall, awsErrorName } from "../deploy/errors.js";
import { OUTPUT_SETTINGS } from "./stack-template.js";

/** CloudFormation's stack names, or a stack's id (its ARN), which DescribeStacks also takes. */
export const STACK_NAME_OR_ID =
  /^([A-Za-z][A-Za-z0-9-]{0,127}|arn:aws[a-z-]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][A-Za-z0-9-]{0,127}\/[\w-]+)$/;

/** The region a stack's id (ARN) names, or nothing for a name. */
export function stackArnRegion(nameOrId: string): string | undefined {
  return /^arn:aws[a-z-]*:cloudformation:([a-z0-9-]+):/.exec(nameOrId)?.[1];
}

/** The settings a flowship stack provides: replaced as a set by `--from-stack`. */
export const STACK_SETTINGS: readonly AwsSettingName[] = Object.values(OUTPUT_SETTINGS).filter(
  (setting): setting is Exclude<typeof setting, undefined> =>
    setting !== undefined && setting in AWS_SETTINGS,
);

/** The outputs every stack `flowship aws stack deploy` made has. */
const REQUIRED_OUTPUTS = ["Region", "JobQueue", "S3Root", "BatchJobRole", "SfnRole"] as const;

export interface StackSettings {
  /** The settings the stack's outputs give. */
  settings: PartialAwsSettings;
  /** The stack, as the settings file records it. */
  stack: SettingsStack;
  /** The stack's status, e.g. `CREATE_COMPLETE`. */
  status: string;
}

/** A stack that is not there, or that provides no flowship settings: exit 1, nothing written. */
export class StackSettingsError extends FlowshipError {
  constructor(message: string) {
    super("FS_STACK_SETTINGS", message);
  }
}

async function describe(client: CloudFormationClient, name: string): Promise<Stack | undefined> {
  try {
    const output = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = output.Stacks?.[0];
    return stack?.StackStatus === "DELETE_COMPLETE" ? undefined : stack;
  } catch (error) {
    // CloudFormation answers a missing stack with a ValidationError "does not exist".
    if (awsErrorName(error) === "ValidationError" && /does not exist/.test(String((error as Error).message)))
      return undefined;
    return awsCall("cloudformation:DescribeStacks", name, () => Promise.reject(error));
  }
}

/** The settings the stack's outputs give; refuses a stack without flowship's outputs. */
export async function settingsFromStack(options: {
  name: string;
  region: string;
  client?: CloudFormationClient;
}): Promise<StackSettings> {
  const { name, region } = options;
  const stack = await describe(options.client ?? new CloudFormationClient({ region }), name);
  if (!stack) {
    throw new StackSettingsError(
      name.startsWith("arn:")
        ? `No stack with id '${name}' in ${region}: it was deleted, or the ARN is not a stack's of this account. Give the stack's name or ARN as 'flowship aws stack deploy' printed it.`
        : `No stack named '${name}' in ${region}. Deploy it with 'flowship aws stack deploy --name ${name}', or give the stack's region with --region.`,
    );
  }
  const outputs = Object.fromEntries(
    (stack.Outputs ?? []).flatMap((o) =>
      o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
    ),
  );
  const status = stack.StackStatus ?? "UNKNOWN";
  // A stack being deleted still has its outputs, naming a queue and roles that are going.
  if (status.startsWith("DELETE_")) {
    throw new StackSettingsError(
      `Stack '${name}' in ${region} is ${status}: its resources are being deleted, or partly are. Nothing was written; ${status === "DELETE_FAILED" ? `finish the delete with 'flowship aws stack delete --name ${stack.StackName ?? name}'` : "wait until the delete ends"}, then deploy it again with 'flowship aws stack deploy --name ${stack.StackName ?? name}', or name another stack.`,
    );
  }
  const lacking = REQUIRED_OUTPUTS.filter((output) => outputs[output] === undefined);
  if (lacking.length > 0) {
    const what =
      lacking.length === REQUIRED_OUTPUTS.length
        ? `has none of flowship's outputs (${REQUIRED_OUTPUTS.join(", ")})`
        : `lacks flowship's output${lacking.length > 1 ? "s" : ""} ${lacking.join(", ")}`;
    throw new StackSettingsError(
      `Stack '${name}' in ${region} (${status}) ${what}: it is not a stack 'flowship aws stack deploy' made, or its deploy did not complete. Nothing was written; deploy it with 'flowship aws stack deploy --name ${name}', or name another stack.`,
    );
  }
  const settings: PartialAwsSettings = {};
  for (const [output, value] of Object.entries(outputs)) {
    const setting = OUTPUT_SETTINGS[output as keyof typeof OUTPUT_SETTINGS];
    if (setting !== undefined && setting in AWS_SETTINGS) settings[setting] = value;
  }
  settings.region ??= region;
  return {
    settings,
    stack: {
      name: stack.StackName ?? name,
      region: settings.region,
      ...(outputs.DeployerPolicy ? { deployerPolicy: outputs.DeployerPolicy } : {}),
    },
    status,
  };
}
