/**
 * Turns AWS SDK errors into FlowshipErrors that name the s3:// URL and say what to do, so a
 * failing datastore prints one line instead of an SDK stack.
 */
import { FlowshipError } from "../../../errors.js";

/** A datastore request to S3 failed for good (after the SDK's retries). */
export class S3DatastoreError extends FlowshipError {}

/** What the datastore was doing, as a verb for messages. */
export type S3Operation = "read" | "write" | "create" | "check" | "list" | "remove" | "download";

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

// Node socket errors and SDK timeouts: the store could not be reached or stopped answering.
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
]);
const NETWORK_NAMES = new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]);
const ACCESS_NAMES = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
]);

/**
 * The IAM action S3 authorizes each operation's request with (a removal also deletes below the key
 * after listing it).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
const OPERATION_ACTIONS: Record<S3Operation, string> = {
  read: "s3:GetObject",
  download: "s3:GetObject",
  check: "s3:GetObject",
  write: "s3:PutObject",
  create: "s3:PutObject",
  list: "s3:ListBucket",
  remove: "s3:DeleteObject",
};

/** The HTTP status of an SDK error, if the store answered at all. */
export function httpStatus(error: unknown): number | undefined {
  return (error as SdkErrorShape | undefined)?.$metadata?.httpStatusCode;
}

/** Whether the store would have to be reached again: network failure, throttling or 5xx. */
export function isUnavailable(error: unknown): boolean {
  const e = error as SdkErrorShape;
  const status = httpStatus(error);
  return (
    NETWORK_CODES.has(e.code ?? "") ||
    NETWORK_NAMES.has(e.name ?? "") ||
    e.name === "SlowDown" ||
    status === 429 ||
    (status !== undefined && status >= 500)
  );
}

function reason(error: unknown): string {
  const e = error as SdkErrorShape;
  const status = httpStatus(error);
  const head = e.code && !e.message?.includes(e.code) ? `${e.code} ` : "";
  const text = `${head}${e.message || e.name || String(error)}`.replace(/\s+/g, " ").replace(/\.$/, "");
  return status === undefined ? text : `HTTP ${status} ${e.name ?? ""}: ${text}`.replace(/ :/, ":");
}

/** Wraps a failed S3 request; `url` is the `s3://` object or prefix it was about. */
export function s3Failure(operation: S3Operation, url: string, error: unknown): FlowshipError {
  if (error instanceof FlowshipError) return error;
  const e = error as SdkErrorShape;
  const status = httpStatus(error);
  const options = { cause: error };
  if (e.name === "CredentialsProviderError") {
    return new S3DatastoreError(
      "FS_DATASTORE_S3_CREDENTIALS",
      `No AWS credentials to ${operation} S3 object: '${url}'. Set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where an IAM role is available.`,
      options,
    );
  }
  if (e.name === "NoSuchBucket") {
    return new S3DatastoreError(
      "FS_DATASTORE_S3_NO_BUCKET",
      `S3 bucket does not exist: '${url}'. Create the bucket or correct FLOWSHIP_S3_ROOT.`,
      options,
    );
  }
  if (ACCESS_NAMES.has(e.name ?? "") || status === 403) {
    return new S3DatastoreError(
      "FS_DATASTORE_S3_ACCESS",
      `Access denied to ${operation} S3 object: '${url}'. Check the AWS credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID) and that their policy allows ${OPERATION_ACTIONS[operation]} there (${reason(error)}).`,
      options,
    );
  }
  if (isUnavailable(error)) {
    const attempts = e.$metadata?.attempts;
    return new S3DatastoreError(
      "FS_DATASTORE_S3_UNAVAILABLE",
      `S3 unavailable, cannot ${operation}: '${url}'. Gave up${attempts ? ` after ${attempts} attempts` : ""} (${reason(error)}); check FLOWSHIP_S3_ENDPOINT and the network, or raise FLOWSHIP_S3_MAX_ATTEMPTS.`,
      options,
    );
  }
  return new S3DatastoreError(
    "FS_DATASTORE_S3_REQUEST",
    `S3 refused to ${operation}: '${url}'. The store answered ${reason(error)}.`,
    options,
  );
}
