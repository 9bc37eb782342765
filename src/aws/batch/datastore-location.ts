import { type DatastoreLocation, resolveDatastore } from "../../datastore/open-storage.js";

/** `s3://bucket/prefix` is the S3 datastore; anything else a local folder. */
export function datastoreLocation(root: string): DatastoreLocation {
  return resolveDatastore({ kind: root.startsWith("s3://") ? "s3" : "local", root });
}
