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
} as const;

export type DatastoreKind = keyof typeof DATASTORE_BACKENDS | "s3";

export async function openStorage(location: DatastoreLocation): Promise<Storage> {
  if (location.kind === "local") {
    const { LocalStorage } = await DATASTORE_BACKENDS.local();
    return new LocalStorage({ root: location.root });
  }
  const { S3Storage } = await import(/* computed so local bundles stay free of the AWS SDK */ s3Module());
  return new S3Storage(location);
}

function s3Module(): string {
  return "./backends/s3.js";
}

export function describeLocation(location: DatastoreLocation): string {
  return location.root;
}
