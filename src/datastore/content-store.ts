/**
 * Content-addressed artifact blobs: the key is the sha256 of the serialized bytes, so an
 * identical value is stored once per flow, and every read checks the bytes against their name.
 */
import { createHash } from "node:crypto";
import { FlowshipError } from "../errors.js";
import { HASH_ALGORITHM } from "../util/hash.js";
import { decodeArtifact, type EncodedArtifact } from "./serializer.js";
import type { Storage } from "./storage.js";

/** How an artifact is found: its blob, and enough to describe it without reading the blob. */
export interface ArtifactRef {
  sha: string;
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

  keyOf(sha: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha)) {
      throw new FlowshipError("FS_DATASTORE_BAD_KEY", `Invalid artifact hash '${sha}'.`);
    }
    return `${this.#flow}/data/${sha.slice(0, 2)}/${sha}`;
  }

  /** Stores an encoded artifact unless an identical one is already there. */
  async put(encoded: EncodedArtifact): Promise<ArtifactRef> {
    const hash = createHash(HASH_ALGORITHM);
    for (const chunk of encoded.chunks) hash.update(chunk);
    const sha = hash.digest("hex");
    const key = this.keyOf(sha);
    if (!(await this.#storage.exists(key))) await this.#storage.write(key, encoded.chunks);
    return { sha, size: encoded.size, encoding: encoded.encoding, type: encoded.type };
  }

  async prefetch(refs: Iterable<ArtifactRef>): Promise<void> {
    await this.#storage.prefetch([...new Set([...refs].map((r) => this.keyOf(r.sha)))]);
  }

  /** Reads and checks a blob; synchronous, so `prefetch` it first on remote backends. */
  getBytes(sha: string, what: string): Buffer {
    const key = this.keyOf(sha);
    const bytes = this.#storage.readSync(key);
    if (!bytes) {
      throw new FlowshipError(
        "FS_DATASTORE_MISSING",
        `Missing object for ${what}: '${key}' is not in ${this.#storage.description}.`,
      );
    }
    const actual = createHash(HASH_ALGORITHM).update(bytes).digest("hex");
    if (actual !== sha) {
      throw new CorruptObjectError(
        "FS_DATASTORE_CORRUPT",
        `Corrupt object for ${what}: '${key}' in ${this.#storage.description} does not match its hash; it was changed on disk.`,
      );
    }
    return bytes;
  }

  get(ref: ArtifactRef, what: string): unknown {
    return decodeArtifact(ref.encoding, this.getBytes(ref.sha, what));
  }
}
