/**
 * Content-addressed artifact blobs: the key is the hash of the serialized bytes (content-hash.ts),
 * so an identical value is stored once per flow, and every read checks the bytes against their name.
 */
import { FlowshipError } from "../errors.js";
import { sha256 } from "../util/hash.js";
import {
  CONTENT_NAME,
  contentHash,
  contentHasher,
  FAST_HASH_FROM,
  matchesContentName,
  prepareContentHash,
} from "./content-hash.js";
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

/**
 * Blobs up to this size are read and checked before an identical new value reuses them; larger
 * ones (where the read would cost as much as the write it saves) are trusted by name.
 */
const VERIFY_REUSE_UP_TO = 16 * 1024 * 1024;

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
    const ref = (hash: string) => ({
      hash,
      size: encoded.size,
      encoding: encoded.encoding,
      type: encoded.type,
    });
    // A large blob is written while it is hashed (about twice as fast as one after the other)
    // unless one like it was stored before: then it is hashed first, so a duplicate is never
    // written twice. "Like it" is a hint from a sample of its bytes; a wrong hint costs time only.
    await prepareContentHash({ sizes: [encoded.size] });
    if (encoded.size >= FAST_HASH_FROM && this.#storage.writeThenName) {
      const hint = `${this.#flow}/data/seen/${sampleName(encoded)}`;
      if (!(await this.#storage.exists(hint))) {
        const hasher = await contentHasher(encoded.size);
        let hash = "";
        await this.#storage.writeThenName(
          `${this.#flow}/data`,
          encoded.chunks,
          (piece) => hasher.update(piece),
          () => {
            hash = hasher.digest();
            return this.keyOf(hash);
          },
        );
        await this.#storage.create(hint, "");
        return ref(hash);
      }
    }
    const hash = contentHash(encoded.chunks, encoded.size);
    const key = this.keyOf(hash);
    if (!(await this.#intact(key, hash, encoded.size))) await this.#storage.write(key, encoded.chunks);
    return ref(hash);
  }

  /**
   * Whether the blob `key` is there and whole. A blob of the same name is reused only after its
   * bytes are checked (up to VERIFY_REUSE_UP_TO): one damaged since it was stored is written
   * again, whole, instead of being handed to one more run.
   */
  async #intact(key: string, hash: string, size: number): Promise<boolean> {
    if (!(await this.#storage.exists(key))) return false;
    if (size > VERIFY_REUSE_UP_TO) return true;
    const bytes = await this.#storage.read(key);
    return bytes !== undefined && matchesContentName(hash, bytes);
  }

  /** Whether every blob `refs` name is in the store (not whether it is whole). */
  async allPresent(refs: Iterable<ArtifactRef>): Promise<boolean> {
    const hashes = [...new Set([...refs].map((r) => r.hash))];
    const present = await Promise.all(hashes.map((hash) => this.#storage.exists(this.keyOf(hash))));
    return present.every(Boolean);
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
        `Corrupt object for ${what}: '${key}' in ${this.#storage.description} does not match its hash; it was changed or damaged after it was stored (see docs/reliability.md).`,
      );
    }
    return bytes;
  }

  get(ref: ArtifactRef, what: string): unknown {
    return decodeArtifact(ref.encoding, this.getBytes(ref.hash, what));
  }
}

const SAMPLES = 64;
const SAMPLE_BYTES = 4096;

/** Size and a hash of 64 small slices spread over the bytes: equal for equal bytes, cheap to take. */
function sampleName(encoded: EncodedArtifact): string {
  const samples: Uint8Array[] = [];
  const step = Math.max(0, encoded.size - SAMPLE_BYTES) / (SAMPLES - 1);
  let chunkStart = 0;
  let chunkIndex = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const at = Math.floor(i * step);
    while (
      chunkIndex < encoded.chunks.length - 1 &&
      at >= chunkStart + encoded.chunks[chunkIndex]!.byteLength
    ) {
      chunkStart += encoded.chunks[chunkIndex]!.byteLength;
      chunkIndex++;
    }
    const chunk = encoded.chunks[chunkIndex]!;
    const offset = at - chunkStart;
    // A sample that runs past its chunk is cut short: still the same for the same bytes.
    samples.push(
      new Uint8Array(
        chunk.buffer,
        chunk.byteOffset + offset,
        Math.min(SAMPLE_BYTES, chunk.byteLength - offset),
      ),
    );
  }
  return `${encoded.size}-${sha256(Buffer.concat(samples)).slice(0, 32)}`;
}
