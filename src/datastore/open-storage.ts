/**
 * Opens a datastore backend by kind. Backends load lazily so the AWS SDK is never loaded on the
 * local path.
 */
import fs from "node:fs";
import { datastoreKind, datastoreRoot, s3Endpoint, s3Root, userCacheRoot } from "../config.js";
import { FlowshipError } from "../errors.js";
import type { Storage } from "./storage.js";

export type DatastoreLocation =
  | { kind: "local"; root: string }
  | { kind: "s3"; root: string; endpoint?: string };

export const DATASTORE_BACKENDS = {
  local: () => import("./backends/local.js"),
  s3: () => import("./backends/s3.js"),
} as const;

export type DatastoreKind = keyof typeof DATASTORE_BACKENDS;

export async function openStorage(location: DatastoreLocation): Promise<Storage> {
  if (location.kind === "local") {
    const { LocalStorage } = await DATASTORE_BACKENDS.local();
    return new LocalStorage({ root: location.root });
  }
  const { S3Storage } = await DATASTORE_BACKENDS.s3();
  return new S3Storage({
    root: location.root,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
  });
}

export function describeLocation(location: DatastoreLocation): string {
  return location.root;
}

/**
 * Where runs are stored, from flags and environment: `--datastore s3` (or FLOWSHIP_DATASTORE=s3,
 * or a root starting with `s3://`) with its root from `--datastore-root` or FLOWSHIP_S3_ROOT, and
 * FLOWSHIP_S3_ENDPOINT for S3-compatible stores; otherwise the local folder.
 */
export function resolveDatastore(options: { kind?: string; root?: string } = {}): DatastoreLocation {
  const fromEnv = options.kind === undefined && !options.root?.startsWith("s3://");
  const kind = options.kind ?? (options.root?.startsWith("s3://") ? "s3" : (datastoreKind() ?? "local"));
  if (kind !== "local" && kind !== "s3") {
    throw new FlowshipError(
      "FS_DATASTORE_KIND",
      `Unknown datastore '${kind}'${fromEnv ? " in FLOWSHIP_DATASTORE" : ""}: use local or s3.`,
      { exitCode: 2 },
    );
  }
  if (kind === "local") {
    const given = options.root ?? process.env.FLOWSHIP_DATASTORE_ROOT;
    // `S3://bucket` (or gs://, https://…) would otherwise become a folder named `S3:` here.
    if (given && /^[a-z][a-z0-9+.-]*:\/\//i.test(given)) {
      throw new FlowshipError(
        "FS_DATASTORE_ROOT_URL",
        `The datastore root '${given}' is a URL flowship does not store runs at: an S3 root starts with 's3://' (in lowercase), a local root is a folder path.`,
        { exitCode: 2 },
      );
    }
    return { kind, root: checkLocalRoot(datastoreRoot(options.root)) };
  }
  const root = options.root?.startsWith("s3://") ? options.root : s3Root();
  if (!root?.startsWith("s3://")) {
    throw new FlowshipError(
      "FS_DATASTORE_S3_ROOT",
      "Missing S3 datastore root for --datastore s3: pass --datastore-root s3://bucket/prefix, set FLOWSHIP_S3_ROOT, or (for the CLI) set the S3 root of the AWS settings with `flowship configure aws --s3-root`.",
      { exitCode: 2 },
    );
  }
  const endpoint = s3Endpoint();
  return { kind, root, ...(endpoint ? { endpoint } : {}) };
}

/** A local root must be a folder (or not exist yet: it is created on the first write). */
function checkLocalRoot(root: string): string {
  if (fs.existsSync(root) && !fs.statSync(root).isDirectory()) {
    throw new FlowshipError(
      "FS_DATASTORE_ROOT_NOT_FOLDER",
      `The datastore root '${root}' is a file, not a folder: give a folder with --datastore-root or FLOWSHIP_DATASTORE_ROOT.`,
      { exitCode: 2 },
    );
  }
  return root;
}

/**
 * The local folder where compiled flows are cached: the datastore's when local; for an S3
 * datastore the user's cache (FLOWSHIP_CACHE_DIR, else $XDG_CACHE_HOME/flowship, else
 * ~/.cache/flowship), so deploying or simulating on S3 leaves nothing in the current folder.
 */
export function codeCacheRoot(location: DatastoreLocation): string {
  return location.kind === "local" ? location.root : userCacheRoot();
}
