/**
 * What a datastore backend must do. Keys are `/`-separated paths below the datastore root; no
 * key may contain `..` or start with `/` (checked by `checkKey`). Writes are atomic: a reader
 * sees a whole object or none.
 */
import { FlowshipError } from "../errors.js";

export interface Storage {
  /** Where the data lives, for messages: a folder or an `s3://` URL. */
  readonly description: string;
  read(key: string): Promise<Buffer | undefined>;
  /**
   * `read` as UTF-8 text, for small objects (records), where a backend can do it cheaper than
   * `read` then `toString` (the local one: one call, no buffer).
   */
  readText?(key: string): Promise<string | undefined>;
  /**
   * Up to `length` bytes of `key` from byte `start` (fewer at its end), with the object's size;
   * undefined when there is no object. Lets a growing log be tailed by reading only its new bytes.
   */
  readRange(key: string, start: number, length: number): Promise<{ bytes: Buffer; size: number } | undefined>;
  /** Writes the concatenation of `chunks` atomically, replacing any object at `key`. */
  write(key: string, chunks: Iterable<NodeJS.ArrayBufferView | string>): Promise<void>;
  /** Writes only if nothing is at `key`; returns false when something already was. */
  create(key: string, content: string): Promise<boolean>;
  exists(key: string): Promise<boolean>;
  /** Names directly below `prefix` (files and "folders"), without the prefix. */
  list(prefix: string): Promise<string[]>;
  /** Removes `key`, and everything below it when it is a folder. */
  remove(key: string): Promise<void>;
  /**
   * Reads `key` synchronously. Artifacts are read on property access in step code, which is
   * synchronous; remote backends serve this from what `prefetch` downloaded.
   */
  readSync(key: string): Buffer | undefined;
  /** Makes `keys` readable by `readSync` (downloads them for remote backends). */
  prefetch(keys: readonly string[]): Promise<void>;
  /** A local file path for `key`, when the backend has one (logs are appended there). */
  localPath?(key: string): string;
  /**
   * Deletes temporary files (`*.tmp-*`) directly below `prefix` older than `olderThanMs`: what
   * writers killed half-way left. Backends without temporary files (S3) have none to sweep.
   */
  sweepTemporaries?(prefix: string, olderThanMs: number): Promise<number>;
  /**
   * Writes `chunks` as an object named after its bytes: every piece goes to `observe` (a hasher)
   * while it is being written, so naming overlaps writing; then `keyOf()` gives the key. When an
   * object is already there the new bytes are dropped. Returns the key. Offered by backends that
   * can name a written object cheaply (a rename); others are written once the name is known.
   */
  writeThenName?(
    folder: string,
    chunks: readonly NodeJS.ArrayBufferView[],
    observe: (piece: Uint8Array) => void,
    keyOf: () => string,
  ): Promise<string>;
}

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.=:@+-]*$/;

/** Refuses any key that could reach outside the datastore root. */
export function checkKey(key: string): string {
  const segments = key.split("/");
  if (segments.some((s) => !SAFE_SEGMENT.test(s) || s === "." || s === "..")) {
    throw new FlowshipError(
      "FS_DATASTORE_BAD_KEY",
      `Refusing datastore path '${key}': each part must be a plain name (letters, digits, _ . - : = @ +).`,
    );
  }
  return key;
}
