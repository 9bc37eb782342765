/**
 * Errors of deploying and managing flows on AWS. AWS errors are wrapped once, in the SDK
 * wrappers, so every message names the API call that failed and what usually fixes it; the AWS
 * error stays reachable as `cause`.
 */
import { FlowshipError } from "../../errors.js";

/** Something about a deployment a user can fix: not deployed, not authorized, too large. */
export class DeployError extends FlowshipError {}

/** Settings are missing or malformed; reported all at once, before any AWS call. */
export class AwsSettingsError extends FlowshipError {
  constructor(message: string) {
    super("FS_AWS_SETTINGS", message, { exitCode: 2 });
  }
}

/** An AWS API call failed for a reason flowship does not handle itself. */
export class AwsCallError extends FlowshipError {
  /** The AWS error name, e.g. `AccessDeniedException`. */
  readonly awsError: string;

  constructor(facts: { operation: string; subject: string; error: unknown }) {
    const name = awsErrorName(facts.error) ?? "Error";
    const detail = facts.error instanceof Error ? facts.error.message : String(facts.error);
    const remedy = /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name)
      ? `Grant ${facts.operation} to the identity deploying (see docs/production.md)`
      : /Credential|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/.test(name)
        ? "Check the AWS credentials the SDK finds (AWS_PROFILE, environment, instance role)"
        : "Check the AWS settings with `flowship configure aws` and try again";
    super(
      "FS_AWS_CALL",
      `AWS call ${facts.operation} failed for '${facts.subject}': ${name}: ${detail}. ${remedy}.`,
      {
        cause: facts.error,
      },
    );
    this.awsError = name;
  }
}

/** The SDK's error name (`error.name`), e.g. `StateMachineDoesNotExist`. */
export function awsErrorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Names AWS uses for "there is no such thing", across the four services. */
const NOT_FOUND = new Set([
  "StateMachineDoesNotExist",
  "ResourceNotFound",
  "ResourceNotFoundException",
  "ExecutionDoesNotExist",
  "NotFoundException",
]);

export function isNotFound(error: unknown): boolean {
  return NOT_FOUND.has(awsErrorName(error) ?? "");
}

/** Runs one AWS call; a failure becomes an {@link AwsCallError} naming the call and its subject. */
export async function awsCall<T>(operation: string, subject: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AwsCallError({ operation, subject, error });
  }
}

/** Like {@link awsCall}, but "not found" is an answer: undefined. */
export async function awsLookup<T>(
  operation: string,
  subject: string,
  call: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await call();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new AwsCallError({ operation, subject, error });
  }
}
