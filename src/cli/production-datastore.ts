/**
 * Production runs (`sfn-…`) live in the deployment's S3 datastore. When a command that reads a run
 * (`logs`, `dump`) does not find one in the datastore it was pointed at — the local one, unless a
 * flag or FLOWSHIP_DATASTORE_ROOT says otherwise — it reads it from the S3 root of the AWS settings
 * (`flowship configure aws`, FLOWSHIP_AWS_S3_ROOT), so `logs sfn-…/step` works without flags.
 */
import { datastoreLocation } from "../aws/batch/datastore-location.js";
import { effectiveSettings } from "../aws/deploy/aws-settings.js";
import type { DatastoreOption } from "../client/client-context.js";
import { ObjectNotFoundError } from "../client/errors.js";
import { parsePathspec } from "../datastore/pathspec.js";

function rootOf(datastore: DatastoreOption): string {
  return typeof datastore === "string" ? datastore : datastore.root;
}

/** The deployment's S3 root to read `pathspec` from after `error`, or undefined to keep the error. */
function productionRoot(pathspec: string, datastore: DatastoreOption, error: unknown): string | undefined {
  if (!(error instanceof ObjectNotFoundError) || error.kind !== "Run") return undefined;
  const { runId } = parsePathspec(pathspec);
  if (!runId?.startsWith("sfn-")) return undefined;
  const s3Root = effectiveSettings().s3Root;
  return s3Root && s3Root !== rootOf(datastore) ? s3Root : undefined;
}

/** Runs `read` on `datastore`; for a production run it does not hold, on the deployment's S3 datastore. */
export async function readRunWithProductionFallback<T>(
  flow: string,
  pathspec: string,
  datastore: DatastoreOption,
  read: (datastore: DatastoreOption) => Promise<T>,
): Promise<T> {
  try {
    return await read(datastore);
  } catch (error) {
    const s3Root = productionRoot(pathspec, datastore, error);
    if (!s3Root) throw error;
    process.stderr.write(
      `note: run ${flow}/${parsePathspec(pathspec).runId} is not in ${rootOf(datastore)}; reading it from the deployment's datastore ${s3Root} (AWS settings).\n`,
    );
    return read(datastoreLocation(s3Root));
  }
}
