/**
 * Code packages in the datastore, content-addressed at `<Flow>/code/<sha256>.tgz`: uploaded once
 * per distinct code. A container's bootstrap (aws/batch/bootstrap.ts) checks the hash before it
 * runs one.
 */
import type { Storage } from "../../datastore/storage.js";
import type { CodePackage } from "./code-package.js";
import { CodePackageError } from "./errors.js";

/** Where a package is (or would be) stored. */
export interface StoredCodePackage {
  key: string;
  /** The datastore location and key, e.g. `s3://bucket/prefix/HelloFlow/code/<sha>.tgz`. */
  url: string;
  /** False when the same code was already there and nothing was written. */
  uploaded: boolean;
}

/** The datastore key of a flow's package with this hash. */
export function codePackageKey(flow: string, sha: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha)) {
    throw new CodePackageError(
      "FS_CODE_PACKAGE_BAD_HASH",
      `Invalid code package hash: '${sha}'. Expected 64 hex digits.`,
    );
  }
  return `${flow}/code/${sha}.tgz`;
}

/**
 * Stores the package unless a package with the same hash is already there.
 *
 * @example
 * const { url } = await uploadCodePackage(storage, await buildCodePackage(options));
 */
export async function uploadCodePackage(storage: Storage, pkg: CodePackage): Promise<StoredCodePackage> {
  const key = codePackageKey(pkg.flow, pkg.sha256);
  const url = `${storage.description}/${key}`;
  // Same name, same bytes: an existing object is this very package.
  if (await storage.exists(key)) return { key, url, uploaded: false };
  await storage.write(key, [pkg.bytes]);
  return { key, url, uploaded: true };
}
