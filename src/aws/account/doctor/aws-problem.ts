/**
 * What the doctor says when one of its own read calls fails: the caller may not make it, the
 * credentials were refused, or AWS answered something else. Any of these is a failure: a check
 * that could not look has not shown the account is ready.
 */
import { awsErrorName } from "../../deploy/errors.js";
import { type CheckResult, fail } from "./check-result.js";

const ACCESS_DENIED = /AccessDenied|UnauthorizedOperation|NotAuthorized|Forbidden/;
const BAD_CREDENTIALS =
  /CredentialsProviderError|InvalidClientTokenId|ExpiredToken|UnrecognizedClient|SignatureDoesNotMatch|InvalidAccessKeyId|InvalidToken/;

/**
 * A failed look-up as a check's result: `action` is the IAM action of the call, e.g.
 * `iam:GetRole`; `about` names what the call read, for the remedy of an unexpected answer: the
 * setting (see {@link settingWords}) or the principal.
 */
export function lookupFailed(
  id: string,
  subject: string,
  action: string,
  error: unknown,
  about: string,
): CheckResult {
  const name = awsErrorName(error) ?? "Error";
  // One line: an SDK's parse error quotes the body it could not read.
  const detail = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.trim();
  if (ACCESS_DENIED.test(name)) {
    return fail(
      id,
      subject,
      `could not check: the caller may not ${action} (${name})`,
      `run the doctor as an identity that may read the account (e.g. with AWS's ReadOnlyAccess policy; --deployer ARN still checks the deployer), or grant ${action}`,
    );
  }
  if (BAD_CREDENTIALS.test(name)) {
    return fail(
      id,
      subject,
      `could not check: the credentials were refused (${name})`,
      "check the credentials the AWS SDK finds (AWS_PROFILE, aws sso login, AWS_ACCESS_KEY_ID)",
    );
  }
  return fail(
    id,
    subject,
    `could not check: ${action} failed (${name}: ${detail})`,
    `try again; if it persists, check ${about}, and that the caller may ${action}`,
  );
}
