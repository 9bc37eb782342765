/**
 * The names of artifact blobs. A blob is named by the XXH3-128 of its bytes (32 hex digits):
 * equal bytes get equal names, so an identical value is stored once, and every read checks the
 * bytes against their name.
 *
 * Why not SHA-256: artifacts can be gigabytes, and naming them is on the critical path of every
 * store and load. SHA-256 runs at ~2 GB/s per core here, slower than writing to the page cache
 * (~5 GB/s); XXH3-128 runs at ~7 GB/s (hash-wasm, WebAssembly, so it also runs in the Batch
 * bundle). A 128-bit name makes an accidental collision negligible (birthday bound 2^64 blobs).
 * What it gives up is resistance to *crafted* collisions, which would matter only against
 * someone who can write to the datastore — and such a writer can already rewrite the run
 * records that point at blobs, which carry a checksum, not a signature. Code packages, which
 * decide what runs, keep SHA-256 (see aws/package).
 *
 * Blobs written by earlier versions are named by SHA-256 (64 hex digits); they are still
 * verified with SHA-256, chosen by the length of the name.
 */
import { createHash } from "node:crypto";
import { createXXHash128, type IHasher } from "hash-wasm";

// One hasher per process. WebAssembly is instantiated asynchronously, but step code reads
// artifacts synchronously, so every path to a synchronous read awaits `loadContentHash` first
// (ContentStore.put and .prefetch do). Not a top-level await: that would make flowship
// impossible to `require()` and to load from CommonJS flow files.
let xxh128: IHasher | undefined;
let loading: Promise<IHasher> | undefined;

export async function loadContentHash(): Promise<void> {
  loading ??= createXXHash128();
  xxh128 = await loading;
}

function hasher(): IHasher {
  if (!xxh128) throw new Error("flowship internal error: loadContentHash() was not awaited before hashing");
  return xxh128;
}

export const CONTENT_HASH_NAME = "xxh128";

/** A blob name this version writes, or one an earlier version wrote. */
export const CONTENT_NAME = /^(?:[0-9a-f]{32}|[0-9a-f]{64})$/;

export function contentHash(chunks: Iterable<NodeJS.ArrayBufferView>): string {
  const h = hasher();
  h.init();
  for (const chunk of chunks) h.update(asBytes(chunk));
  return h.digest("hex");
}

/** Whether `bytes` are the content named `name` (by whichever hash named it). */
export function matchesContentName(name: string, bytes: NodeJS.ArrayBufferView): boolean {
  if (name.length === 64) return createHash("sha256").update(bytes).digest("hex") === name;
  return contentHash([bytes]) === name;
}

function asBytes(view: NodeJS.ArrayBufferView): Uint8Array {
  return view instanceof Uint8Array ? view : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}
