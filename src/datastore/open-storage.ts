/**
 * Opens a datastore backend by kind. Backends load lazily so the AWS SDK is never loaded on the
 * local path.
 */
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
