/**
 * The local copies `prefetch` downloads so `readSync` can serve them. Step code reads artifacts
 * synchronously, which a network store cannot do; the task prefetches what it will read first.
 *
 * Files live at `<dir>/<key>` and are written atomically, so concurrent task processes on one
 * machine may share the folder. The folder is the user's alone (0700, files 0600): artifacts are
 * often private data, and another user's folder is never written to or read from. Only keys this instance prefetched are served: a file left by an
 * earlier process could be stale for a key that is rewritten (records), and blobs are cheap to
 * check but not free to trust blindly.
 */
import fs from "node:fs";
import path from "node:path";
import { FlowshipError } from "../../../errors.js";
import { writeFileAtomic } from "../../../util/atomic-file.js";
import { readWholeFileSync } from "../../../util/read-whole-file.js";
import { matchesContentName } from "../../content-hash.js";
import { checkKey } from "../../storage.js";

/** A key whose last part is a content hash names immutable content (see content-hash.ts). */
const CONTENT_ADDRESSED = /(?:^|\/)([0-9a-f]{32}|[0-9a-f]{64})$/;

export class ReadCache {
  readonly dir: string;
  /** key → whether the object existed when it was prefetched. */
  readonly #fetched = new Map<string, boolean>();

  constructor(options: { dir: string }) {
    this.dir = options.dir;
  }

  /**
   * The default folder of a user's cache below `base` (the temporary folder): `flowship-s3-cache-<uid>`,
   * created 0700. When it exists but another user owns it or others may write to it, a fresh
   * private folder is used instead, so nobody can plant or read this user's cached objects.
   */
  static privateDir(base: string, ...parts: string[]): string {
    const uid = process.getuid?.();
    let top = path.join(base, `flowship-s3-cache-${uid ?? "user"}`);
    fs.mkdirSync(top, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(top);
    if (!stat.isDirectory() || (uid !== undefined && stat.uid !== uid) || (stat.mode & 0o077) !== 0) {
      top = fs.mkdtempSync(path.join(base, "flowship-s3-cache-"));
    }
    return path.join(top, ...parts);
  }

  pathOf(key: string): string {
    return path.join(this.dir, checkKey(key));
  }

  /**
   * True when `key` names immutable content (its last part is a content hash) and `bytes` are not
   * that content: damaged on the way, to be fetched again.
   */
  static damaged(key: string, bytes: Buffer | undefined): boolean {
    const expected = CONTENT_ADDRESSED.exec(key)?.[1];
    return expected !== undefined && bytes !== undefined && !matchesContentName(expected, bytes);
  }

  /** True when a content-addressed key is already on disk with the right bytes. */
  reuse(key: string): boolean {
    const expected = CONTENT_ADDRESSED.exec(key)?.[1];
    if (!expected) return false;
    try {
      if (!matchesContentName(expected, readWholeFileSync(this.pathOf(key)))) return false;
    } catch {
      return false;
    }
    this.#fetched.set(key, true);
    return true;
  }

  store(key: string, bytes: Buffer | undefined): void {
    if (bytes === undefined) {
      fs.rmSync(this.pathOf(key), { force: true });
    } else {
      writeFileAtomic(this.pathOf(key), [bytes], { mode: 0o600 });
    }
    this.#fetched.set(key, bytes !== undefined);
  }

  /** Drops what this instance knows of `key` (it was written or removed). */
  forget(key: string): void {
    this.#fetched.delete(key);
  }

  /** Drops every key at or below `key`. */
  forgetTree(key: string): void {
    for (const known of [...this.#fetched.keys()]) {
      if (known === key || known.startsWith(`${key}/`)) this.#fetched.delete(known);
    }
  }

  read(key: string, url: string): Buffer | undefined {
    const present = this.#fetched.get(checkKey(key));
    if (present === undefined) {
      throw new FlowshipError(
        "FS_DATASTORE_NOT_PREFETCHED",
        `Object read synchronously before it was prefetched: '${url}'. Remote datastores serve readSync only for keys passed to prefetch first.`,
      );
    }
    if (!present) return undefined;
    try {
      return readWholeFileSync(this.pathOf(key));
    } catch (error) {
      throw new FlowshipError(
        "FS_DATASTORE_CACHE_LOST",
        `Prefetched copy of '${url}' vanished from ${this.dir}. Something cleaned the temporary folder; prefetch again.`,
        { cause: error },
      );
    }
  }
}
