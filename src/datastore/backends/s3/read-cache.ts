/**
 * The local copies `prefetch` downloads so `readSync` can serve them. Step code reads artifacts
 * synchronously, which a network store cannot do; the task prefetches what it will read first.
 *
 * Files live at `<dir>/<key>` and are written atomically, so concurrent task processes on one
 * machine may share the folder. Only keys this instance prefetched are served: a file left by an
 * earlier process could be stale for a key that is rewritten (records), and blobs are cheap to
 * check but not free to trust blindly.
 */
import fs from "node:fs";
import path from "node:path";
import { FlowshipError } from "../../../errors.js";
import { writeFileAtomic } from "../../../util/atomic-file.js";
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

  pathOf(key: string): string {
    return path.join(this.dir, checkKey(key));
  }

  /** True when a content-addressed key is already on disk with the right bytes. */
  reuse(key: string): boolean {
    const expected = CONTENT_ADDRESSED.exec(key)?.[1];
    if (!expected) return false;
    try {
      if (!matchesContentName(expected, fs.readFileSync(this.pathOf(key)))) return false;
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
      writeFileAtomic(this.pathOf(key), [bytes]);
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
      return fs.readFileSync(this.pathOf(key));
    } catch (error) {
      throw new FlowshipError(
        "FS_DATASTORE_CACHE_LOST",
        `Prefetched copy of '${url}' vanished from ${this.dir}. Something cleaned the temporary folder; prefetch again.`,
        { cause: error },
      );
    }
  }
}
