import path from "node:path";
import { s3Endpoint } from "../../config.js";
import type { DatastoreLocation } from "../../datastore/open-storage.js";

/** `s3://bucket/prefix` is the S3 datastore; anything else a local folder. */
export function datastoreLocation(root: string): DatastoreLocation {
  if (root.startsWith("s3://")) {
    const endpoint = s3Endpoint();
    return { kind: "s3", root, ...(endpoint ? { endpoint } : {}) };
  }
  return { kind: "local", root: path.resolve(root) };
}
