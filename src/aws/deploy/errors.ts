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

/** What a caller may say instead of the generic remedies of {@link AwsCallError}. */
export interface AwsCallRemedies {
  /** Who is granted a denied action. @default "the identity deploying (see docs/production.md)" */
  grantee?: string;
  /** The remedy of an error that is neither a denied action nor bad credentials. @default check `flowship configure aws` */
  remedy?: string;
}

/** An AWS API call failed for a reason flowship does not handle itself. */
export class AwsCallError extends FlowshipError {
  /** The AWS error name, e.g. `AccessDeniedException`. */
  readonly awsError: string;

  constructor(facts: { operation: string; subject: string; error: unknown } & AwsCallRemedies) {
    const name = awsErrorName(facts.error) ?? "Error";
    const unexpected = unexpectedAnswer(facts.operation, facts.error);
    const detail = unexpected ?? `${name}: ${oneLine(facts.error)}`;
    const remedy = unexpected
      ? "Check that nothing between flowship and AWS (a proxy, AWS_ENDPOINT_URL) answers instead of AWS, and try again"
      : /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(name)
        ? `Grant ${facts.operation} to ${facts.grantee ?? "the identity deploying (see docs/production.md)"}`
        : /Credential|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/.test(name)
          ? "Check the AWS credentials the SDK finds (AWS_PROFILE, environment, instance role)"
          : (facts.remedy ?? "Check the AWS settings with `flowship configure aws` and try again");
    super("FS_AWS_CALL", `AWS call ${facts.operation} failed for '${facts.subject}': ${detail}. ${remedy}.`, {
      cause: facts.error,
    });
    this.awsError = name;
  }
}

/** The error's message on one line, without a final period (the sentence after it adds one). */
function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, " ").trim().replace(/\.+$/, "");
}

/** Services that answer in XML (the query and REST-XML protocols); the others answer JSON. */
const XML_SERVICES = new Set(["cloudformation", "iam", "sts", "s3", "ec2", "sns", "sqs"]);

/**
 * An answer the SDK could not read as AWS's — a proxy's HTML page, a wrong AWS_ENDPOINT_URL — in
 * one line, instead of the SDK's parse error and its "inspect the hidden field
 * {error}.$response" (which a CLI user cannot do). The SDK marks a body it could not parse with
 * "Deserialization error", and an error body without an AWS error code as `Unknown: Unknown`.
 */
function unexpectedAnswer(operation: string, error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const unreadable = /Deserialization error/.test(error.message);
  if (!unreadable && !(error.name === "Unknown" && error.message === "Unknown")) return undefined;
  const service = operation.split(":")[0] ?? operation;
  const facts = error as { $response?: { statusCode?: number }; $metadata?: { httpStatusCode?: number } };
  const status = facts.$response?.statusCode ?? facts.$metadata?.httpStatusCode;
  const format = /XML/.test(error.message)
    ? "XML"
    : error.name === "SyntaxError"
      ? "JSON"
      : XML_SERVICES.has(service)
        ? "XML"
        : "JSON";
  return `unexpected answer from ${service} (HTTP ${status ?? "status unknown"}, not ${format})`;
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
export async function awsCall<T>(
  operation: string,
  subject: string,
  call: () => Promise<T>,
  remedies: AwsCallRemedies = {},
): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw new AwsCallError({ operation, subject, error, ...remedies });
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
