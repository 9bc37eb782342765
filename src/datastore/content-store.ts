/**
 * Content-addressed artifact blobs: the key is the hash of the serialized bytes (content-hash.ts),
 * so an identical value is stored once per flow, and every read checks the bytes against their name.
 */
import { FlowshipError } from "../errors.js";
import { CONTENT_NAME, contentHash, matchesContentName, prepareContentHash } from "./content-hash.js";
import { decodeArtifact, type EncodedArtifact } from "./serializer.js";
import type { Storage } from "./storage.js";

/** How an artifact is found: its blob, and enough to describe it without reading the blob. */
export interface ArtifactRef {
  /** The blob's name: the hash of its bytes. */
  hash: string;
  size: number;
  encoding: string;
  type: string;
}

export class CorruptObjectError extends FlowshipError {}

export class ContentStore {
  readonly #storage: Storage;
  readonly #flow: string;

  constructor(options: { storage: Storage; flow: string }) {
    this.#storage = options.storage;
    this.#flow = options.flow;
  }

  keyOf(hash: string): string {
    if (!CONTENT_NAME.test(hash)) {
      throw new FlowshipError("FS_DATASTORE_BAD_KEY", `Invalid artifact hash '${hash}'.`);
    }
    return `${this.#flow}/data/${hash.slice(0, 2)}/${hash}`;
  }

  /** Stores an encoded artifact unless an identical one is already there. */
  async put(encoded: EncodedArtifact): Promise<ArtifactRef> {
    await prepareContentHash({ sizes: [encoded.size] });
    const hash = contentHash(encoded.chunks, encoded.size);
    const key = this.keyOf(hash);
    if (!(await this.#storage.exists(key))) await this.#storage.write(key, encoded.chunks);
    return { hash, size: encoded.size, encoding: encoded.encoding, type: encoded.type };
  }

  /** Makes `refs` readable synchronously by `get`: downloads them from remote backends. */
  async prefetch(refs: Iterable<ArtifactRef>): Promise<void> {
    const hashes = [...new Set([...refs].map((r) => r.hash))];
    await prepareContentHash({ names: hashes });
    await this.#storage.prefetch(hashes.map((hash) => this.keyOf(hash)));
  }

  /** Reads and checks a blob; synchronous, so `prefetch` it first (it loads the hasher, and downloads from remote backends). */
  getBytes(hash: string, what: string): Buffer {
    const key = this.keyOf(hash);
    const bytes = this.#storage.readSync(key);
    if (!bytes) {
      throw new FlowshipError(
        "FS_DATASTORE_MISSING",
        `Missing object for ${what}: '${key}' is not in ${this.#storage.description}.`,
      );
    }
    if (!matchesContentName(hash, bytes)) {
      throw new CorruptObjectError(
        "FS_DATASTORE_CORRUPT",
        `Corrupt object for ${what}: '${key}' in ${this.#storage.description} does not match its hash; it was changed on disk.`,
      );
    }
    return bytes;
  }

  get(ref: ArtifactRef, what: string): unknown {
    return decodeArtifact(ref.encoding, this.getBytes(ref.hash, what));
  }
}
