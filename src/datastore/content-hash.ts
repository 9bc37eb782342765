/**
 * The names of artifact blobs: the hash of their bytes, so equal bytes get equal names (an
 * identical value is stored once) and every read checks the bytes against their name.
 *
 * Blobs under 64 MiB are named by SHA-256 (64 hex digits); larger ones by XXH3-128 (32 hex
 * digits, what `xxhsum -H2` prints). Naming is on the critical path of storing and loading every
 * artifact: SHA-256 runs at ~2 GB/s per core here, slower than writing to the page cache
 * (~5 GB/s), while XXH3-128 runs at ~7 GB/s. But XXH3 comes as WebAssembly (hash-wasm, so it
 * also runs in the Batch bundle), and loading it costs a process ~30 ms: paid only by processes
 * that meet a large blob, never by the many small tasks. The size decides the hash, so equal
 * bytes still get one name.
 *
 * XXH3-128 makes an accidental collision negligible (birthday bound 2^64 blobs) but does not
 * resist a *crafted* one. That would matter only against someone who can write to the
 * datastore, who can already rewrite the run records that point at blobs (they carry a
 * checksum, not a signature). Code packages, which decide what runs, always use SHA-256.
 */
import { createHash } from "node:crypto";
import type { IHasher } from "hash-wasm";

/** Blobs from this size on are named by XXH3-128. */
export const FAST_HASH_FROM = 64 * 2 ** 20;

/** A blob name: SHA-256 or XXH3-128, in hex. */
export const CONTENT_NAME = /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/;

let xxh128: IHasher | undefined;
let loading: Promise<IHasher> | undefined;

function newXXH128(): Promise<IHasher> {
  return import("hash-wasm/dist/xxhash128.umd.min.js").then((m) => m.default.createXXHash128());
}

/**
 * Loads the XXH3-128 hasher if any of `names` (or sizes about to be hashed) needs it. Step code
 * reads artifacts synchronously, so every path to a synchronous read awaits this first
 * (ContentStore.put and .prefetch do). Not a top-level await: that would make flowship
 * impossible to `require()` and to load from CommonJS flow files.
 */
export async function prepareContentHash(needs: { names?: Iterable<string>; sizes?: Iterable<number> }) {
  const needed =
    [...(needs.names ?? [])].some((name) => name.length === 32) ||
    [...(needs.sizes ?? [])].some((size) => size >= FAST_HASH_FROM);
  if (!needed || xxh128) return;
  loading ??= newXXH128();
  xxh128 = await loading;
}

/** Names a blob fed to it piece by piece, with state of its own (stores may interleave). */
export interface ContentHasher {
  update(chunk: NodeJS.ArrayBufferView): void;
  digest(): string;
}

/** A hasher for a blob of `size` bytes; contentHash() of the same bytes gives the same name. */
export async function contentHasher(size: number): Promise<ContentHasher> {
  if (size < FAST_HASH_FROM) {
    const sha = createHash("sha256");
    return { update: (chunk) => sha.update(chunk), digest: () => sha.digest("hex") };
  }
  const xxh = await newXXH128();
  xxh.init();
  return { update: (chunk) => xxh.update(asBytes(chunk)), digest: () => xxh.digest("hex") };
}

/** The name of the bytes in `chunks`, `size` bytes in all. */
export function contentHash(chunks: Iterable<NodeJS.ArrayBufferView>, size: number): string {
  return size < FAST_HASH_FROM ? sha256Hex(chunks) : xxh128Hex(chunks);
}

/** Whether `bytes` are the content named `name`, by whichever hash named it. */
export function matchesContentName(name: string, bytes: NodeJS.ArrayBufferView): boolean {
  return (name.length === 64 ? sha256Hex([bytes]) : xxh128Hex([bytes])) === name;
}

function sha256Hex(chunks: Iterable<NodeJS.ArrayBufferView>): string {
  const sha = createHash("sha256");
  for (const chunk of chunks) sha.update(chunk);
  return sha.digest("hex");
}

function xxh128Hex(chunks: Iterable<NodeJS.ArrayBufferView>): string {
  if (!xxh128)
    throw new Error("flowship internal error: prepareContentHash() was not awaited before hashing");
  xxh128.init();
  for (const chunk of chunks) xxh128.update(asBytes(chunk));
  return xxh128.digest("hex");
}

function asBytes(view: NodeJS.ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
