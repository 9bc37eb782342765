/**
 * The `s3://<bucket>/<prefix>` root of an S3 datastore, and the URLs errors name.
 */
import { FlowshipError } from "../../../errors.js";
import { checkKey } from "../../storage.js";

/** A bucket and the key prefix every datastore key is stored below. */
export interface S3Location {
  bucket: string;
  /** Without leading or trailing slash; "" for the bucket root. */
  prefix: string;
}

// The S3 bucket naming rules, minus the legacy upper-case names that path-style once allowed.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** Parses `s3://bucket/prefix`; the prefix must be plain `/`-separated names, like datastore keys. */
export function parseS3Root(root: string): S3Location {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(root);
  const bucket = match?.[1] ?? "";
  const prefix = (match?.[2] ?? "").replace(/\/+$/, "");
  if (!match || !BUCKET_NAME.test(bucket) || !isPlainPrefix(prefix)) {
    throw new FlowshipError(
      "FS_DATASTORE_S3_ROOT",
      `Invalid S3 datastore root: '${root}'. Use s3://<bucket>/<prefix>, e.g. s3://my-bucket/flowship (set FLOWSHIP_S3_ROOT).`,
      { exitCode: 2 },
    );
  }
  return { bucket, prefix };
}

function isPlainPrefix(prefix: string): boolean {
  if (prefix === "") return true;
  try {
    checkKey(prefix);
    return true;
  } catch {
    return false;
  }
}

/** The S3 object key of a datastore key. */
export function objectKey(location: S3Location, key: string): string {
  return location.prefix === "" ? key : `${location.prefix}/${key}`;
}

/** `s3://bucket/prefix/key`, for messages. */
export function s3Url(location: S3Location, key = ""): string {
  const path = key === "" ? location.prefix : objectKey(location, key);
  return path === "" ? `s3://${location.bucket}` : `s3://${location.bucket}/${path}`;
}
