/**
 * The datastore a command works on, from its `--datastore` / `--datastore-root` flags and the
 * environment — built here once for every command. `--datastore s3` without a root takes the S3 root
 * of the AWS settings (`flowship configure aws --s3-root`, FLOWSHIP_AWS_S3_ROOT) when
 * FLOWSHIP_S3_ROOT is not set, so a laptop configured for production needs no second setting to
 * run with Batch steps or read production runs.
 */
import { effectiveSettings } from "../aws/deploy/aws-settings.js";
import { datastoreKind, s3Root } from "../config.js";
import { type DatastoreLocation, resolveDatastore } from "../datastore/open-storage.js";

export interface DatastoreFlags {
  datastore?: string | undefined;
  datastoreRoot?: string | undefined;
}

export function datastoreFromFlags(flags: DatastoreFlags): DatastoreLocation {
  const wantsS3 = flags.datastore === "s3" || (flags.datastore === undefined && datastoreKind() === "s3");
  const root = flags.datastoreRoot ?? (wantsS3 && !s3Root() ? effectiveSettings().s3Root : undefined);
  return resolveDatastore({
    ...(flags.datastore ? { kind: flags.datastore } : {}),
    ...(root ? { root } : {}),
  });
}
