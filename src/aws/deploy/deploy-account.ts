/**
 * The account and partition a deployment lives in, which every ARN of it names. `create` has the
 * Step Functions role, which IAM requires to be in the deploying account (iam:PassRole cannot
 * pass another account's role), so its ARN answers with no call. The commands that only use a
 * deployment (resume, redrive, backfill, trigger…) need no role: STS GetCallerIdentity, which no
 * IAM policy can deny, names the account of the credentials instead.
 *
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import type { PartialAwsSettings } from "./aws-settings.js";
import { AwsSettingsError, awsCall } from "./errors.js";

export interface DeployAccount {
  partition: string;
  account: string;
}

const ROLE_ACCOUNT = /^arn:(aws[a-z-]*):iam::(\d{12}):role\//;
const CALLER_ACCOUNT = /^arn:(aws[a-z-]*):[a-z]+::(\d{12}):/;

/** The account of the Step Functions role, or undefined when no role is set. */
export function roleAccount(settings: PartialAwsSettings): DeployAccount | undefined {
  if (settings.sfnRole === undefined) return undefined;
  const match = ROLE_ACCOUNT.exec(settings.sfnRole);
  if (!match) {
    throw new AwsSettingsError(
      `Invalid Step Functions role: '${settings.sfnRole}'. Give an IAM role ARN such as arn:aws:iam::123456789012:role/flowship-step-functions.`,
    );
  }
  return { partition: match[1]!, account: match[2]! };
}

/** The account of the Step Functions role when one is set, else that of the credentials. */
export async function deployAccount(
  settings: PartialAwsSettings & { region: string },
): Promise<DeployAccount> {
  const fromRole = roleAccount(settings);
  if (fromRole) return fromRole;
  const { STSClient, GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
  const client = new STSClient({ region: settings.region });
  const identity = await awsCall("sts:GetCallerIdentity", "the credentials' account", () =>
    client.send(new GetCallerIdentityCommand({})),
  );
  const match = CALLER_ACCOUNT.exec(identity.Arn ?? "");
  if (!match) {
    throw new AwsSettingsError(
      `STS named no account for these credentials: '${identity.Arn ?? ""}'. Set the Step Functions role (flowship configure aws --sfn-role, or FLOWSHIP_AWS_SFN_ROLE): its ARN names the account.`,
    );
  }
  return { partition: match[1]!, account: identity.Account ?? match[2]! };
}
