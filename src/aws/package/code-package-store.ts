/**
 * Code packages in the datastore, content-addressed at `<Flow>/code/<sha256>.tgz`: uploaded once
 * per distinct code, and checked against their hash before a container runs them.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as tar from "tar";
import type { Storage } from "../../datastore/storage.js";
import { sha256 } from "../../util/hash.js";
import type { CodePackage } from "./code-package.js";
import { CodePackageError } from "./errors.js";
import { PACKAGE_ENTRY } from "./package-layout.js";

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

/** Where to extract. */
export interface FetchCodePackageOptions {
  /** @default `<os tmpdir>/flowship-code/<sha256>` */
  into?: string;
}

/**
 * Whether this user alone could have written `file`: owned by the current user and not writable
 * by group or others. An extracted package is only reused from such folders; otherwise anyone
 * who can write to the temporary folder could plant a `flow.mjs` that runs unverified.
 */
function ownedPrivately(file: string): boolean {
  try {
    const stat = fs.lstatSync(file);
    const uid = process.getuid?.();
    return (uid === undefined || stat.uid === uid) && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/**
 * Downloads a package, refuses it unless its sha256 is `expectedSha`, extracts it and returns
 * the path of its `flow.mjs`. A folder already holding this package is reused when only this
 * user could have written it; otherwise the package is extracted afresh into a private folder.
 */
export async function fetchAndVerifyCodePackage(
  storage: Storage,
  key: string,
  expectedSha: string,
  options: FetchCodePackageOptions = {},
): Promise<string> {
  let target = path.resolve(options.into ?? path.join(os.tmpdir(), "flowship-code", expectedSha));
  const cached = path.join(target, PACKAGE_ENTRY);
  const trusted = (folder: string) => [path.dirname(folder), folder].every(ownedPrivately);
  if (fs.existsSync(cached) && trusted(target) && ownedPrivately(cached)) return cached;
  const url = `${storage.description}/${key}`;
  const bytes = await storage.read(key);
  if (bytes === undefined) {
    throw new CodePackageError(
      "FS_CODE_PACKAGE_MISSING",
      `Code package not found: '${url}'. Deploy the flow again to upload it.`,
    );
  }
  const actual = sha256(bytes);
  if (actual !== expectedSha) {
    throw new CodePackageError(
      "FS_CODE_PACKAGE_MISMATCH",
      `Code package does not match its hash: '${url}'. Expected sha256 ${expectedSha} but got ${actual}; it was changed after upload, deploy the flow again.`,
    );
  }
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  if (!ownedPrivately(path.dirname(target)) || fs.existsSync(target)) {
    target = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "flowship-code-")), expectedSha);
  }
  extractOnce(bytes, target);
  if (!trusted(target)) {
    throw new CodePackageError(
      "FS_CODE_PACKAGE_UNSAFE_FOLDER",
      `Code package folder is writable by others: '${target}'. Remove it, or extract into a private folder.`,
    );
  }
  return path.join(target, PACKAGE_ENTRY);
}

/** Extracts beside the target, then renames: concurrent tasks never see half a package. */
function extractOnce(bytes: Buffer, target: string): void {
  const staging = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  fs.mkdirSync(staging, { mode: 0o700 });
  try {
    const archive = `${staging}.tgz`;
    fs.writeFileSync(archive, bytes);
    try {
      tar.extract({
        file: archive,
        cwd: staging,
        sync: true,
        strict: true,
        // Regular files only: a link could point outside the folder.
        filter: (_path, entry) => "type" in entry && entry.type === "File",
      });
    } finally {
      fs.rmSync(archive, { force: true });
    }
    try {
      fs.renameSync(staging, target);
    } catch (error) {
      // Another task extracted the same package first; theirs is identical.
      if (!fs.existsSync(path.join(target, PACKAGE_ENTRY))) throw error;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}
