/**
 * The S3 root's bucket: it exists, it is in the deploy region (jobs and Step Functions read and
 * write it on every task), and it has default encryption.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketLocation.html
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketEncryption.html
 */
import { GetBucketEncryptionCommand, GetBucketLocationCommand } from "@aws-sdk/client-s3";
import type { PartialAwsSettings } from "../../deploy/aws-settings.js";
import { awsErrorName } from "../../deploy/errors.js";
import { lookupFailed } from "./aws-problem.js";
import { type CheckResult, fail, ok, requireSetting, settingRemedy, settingWords } from "./check-result.js";
import type { DoctorClients } from "./doctor-clients.js";

const ID = "s3-root";

/** Bucket and key prefix of an `s3://bucket/prefix` root. */
export function splitS3Root(root: string): { bucket: string; prefix: string } {
  const [bucket = "", ...rest] = root.replace(/^s3:\/\//, "").split("/");
  return { bucket, prefix: rest.filter(Boolean).join("/") };
}

/**
 * GetBucketLocation's answer as a region: no constraint is us-east-1, and `EU` is the old name
 * of eu-west-1.
 */
function bucketRegion(constraint: string | undefined): string {
  if (!constraint) return "us-east-1";
  return constraint === "EU" ? "eu-west-1" : constraint;
}

export async function checkS3Root(
  clients: DoctorClients,
  settings: PartialAwsSettings,
  region: string,
): Promise<CheckResult> {
  const setting = requireSetting(settings, "s3Root", ID, "S3 root");
  if ("problem" in setting) return setting.problem;
  const subject = `S3 root ${setting.value}`;
  const { bucket } = splitS3Root(setting.value);
  let located: string;
  try {
    const answer = await clients.s3(region).send(new GetBucketLocationCommand({ Bucket: bucket }));
    located = bucketRegion(answer.LocationConstraint);
  } catch (error) {
    if (awsErrorName(error) === "NoSuchBucket") {
      const configuration =
        region === "us-east-1" ? "" : ` --create-bucket-configuration LocationConstraint=${region}`;
      return fail(
        ID,
        subject,
        `bucket '${bucket}' does not exist`,
        `create it: aws s3api create-bucket --bucket ${bucket} --region ${region}${configuration} (or let 'flowship aws stack deploy' make one), or ${settingRemedy("s3Root")}`,
      );
    }
    return lookupFailed(ID, subject, "s3:GetBucketLocation", error, settingWords("s3Root"));
  }
  if (located !== region) {
    return fail(
      ID,
      subject,
      `bucket '${bucket}' is in ${located}, flowship deploys to ${region}: every task would read and write across regions`,
      `use a bucket in ${region} (${settingRemedy("s3Root")}), or deploy to ${located} (${settingRemedy("region", located)})`,
    );
  }
  let algorithm: string;
  try {
    const answer = await clients.s3(located).send(new GetBucketEncryptionCommand({ Bucket: bucket }));
    const rule = answer.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault;
    algorithm = [rule?.SSEAlgorithm, rule?.KMSMasterKeyID].filter(Boolean).join(" ") || "unknown";
  } catch (error) {
    if (awsErrorName(error) === "ServerSideEncryptionConfigurationNotFoundError") {
      return fail(
        ID,
        subject,
        `bucket '${bucket}' has no default encryption`,
        `aws s3api put-bucket-encryption --bucket ${bucket} --server-side-encryption-configuration '{"Rules":[{"ApplyServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}'`,
      );
    }
    return lookupFailed(ID, subject, "s3:GetEncryptionConfiguration", error, settingWords("s3Root"));
  }
  return ok(ID, subject, `bucket '${bucket}' in ${located}, encrypted by default (${algorithm})`);
}
