/**
 * Credentials and region: who the SDK's credentials are (sts:GetCallerIdentity, which needs no
 * permission) and in which region flowship deploys.
 * @see https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html
 */
import { GetCallerIdentityCommand, type STSClient } from "@aws-sdk/client-sts";
import { AWS_SETTINGS, type PartialAwsSettings } from "../../deploy/aws-settings.js";
import { awsErrorName } from "../../deploy/errors.js";
import { type CheckResult, fail, ok, settingRemedy } from "./check-result.js";

export interface CallerIdentity {
  account: string;
  /** The caller's ARN as STS gives it (an assumed role's is `arn:aws:sts::…:assumed-role/NAME/SESSION`). */
  arn: string;
}

const ID = "credentials";
const SUBJECT = "credentials and region";

const NO_CREDENTIALS = /CredentialsProviderError|CredentialsError/;
const REFUSED =
  /InvalidClientTokenId|ExpiredToken|UnrecognizedClient|SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied/;

/** The region setting, or why there is none. */
export function checkRegion(settings: PartialAwsSettings): { region: string } | { problem: CheckResult } {
  const region = settings.region;
  if (!region) {
    return {
      problem: fail(
        ID,
        SUBJECT,
        "no AWS region is configured",
        `${settingRemedy("region")}; AWS_REGION is used when neither is set`,
      ),
    };
  }
  if (!AWS_SETTINGS.region.valid(region)) {
    return { problem: fail(ID, SUBJECT, `'${region}' is not an AWS region`, settingRemedy("region")) };
  }
  return { region };
}

export async function checkCredentials(
  sts: STSClient,
  region: string,
): Promise<{ result: CheckResult; identity?: CallerIdentity }> {
  try {
    const answer = await sts.send(new GetCallerIdentityCommand({}));
    const identity = { account: answer.Account!, arn: answer.Arn! };
    return {
      result: ok(ID, SUBJECT, `account ${identity.account} as ${identity.arn}, region ${region}`),
      identity,
    };
  } catch (error) {
    const name = awsErrorName(error) ?? "Error";
    const detail = error instanceof Error ? error.message.split("\n")[0] : String(error);
    if (NO_CREDENTIALS.test(name)) {
      return {
        result: fail(
          ID,
          SUBJECT,
          "no AWS credentials found",
          "sign in with 'aws configure sso' then 'aws sso login', or 'aws configure', or set AWS_PROFILE (or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        ),
      };
    }
    if (REFUSED.test(name)) {
      return {
        result: fail(
          ID,
          SUBJECT,
          `AWS refused the credentials (${name}: ${detail})`,
          "renew them ('aws sso login') or check which ones the SDK finds (AWS_PROFILE, AWS_ACCESS_KEY_ID)",
        ),
      };
    }
    return {
      result: fail(
        ID,
        SUBJECT,
        `sts:GetCallerIdentity failed in ${region} (${name}: ${detail})`,
        `check the region (${settingRemedy("region")}) and the network`,
      ),
    };
  }
}
