import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { tempDir } from "../../test/helpers/cli.js";
import { scanDatastore } from "../../test/helpers/scan-datastore.js";
import { LocalStorage } from "./backends/local.js";
import { contentHash, FAST_HASH_FROM, prepareContentHash } from "./content-hash.js";
import { ContentStore } from "./content-store.js";
import { encodeArtifact } from "./serializer.js";

/** A local datastore that counts the blob writes it is asked for. */
class CountingStorage extends LocalStorage {
  writes = 0;
  namedWrites = 0;
  override async write(key: string, chunks: Iterable<NodeJS.ArrayBufferView | string>) {
    if (key.includes("/data/") && !key.includes("/seen/")) this.writes++;
    return super.write(key, chunks);
  }
  override async writeThenName(...args: Parameters<LocalStorage["writeThenName"]>) {
    this.namedWrites++;
    return super.writeThenName(...args);
  }
}

function largeArray(fill: number): Float64Array {
  return new Float64Array(FAST_HASH_FROM / 8 + 1000).fill(fill);
}

describe("content store: large blobs", () => {
  test("a new large blob is written while it is hashed, under the name its bytes give, with nothing left over", async () => {
    // given
    const root = tempDir();
    const storage = new CountingStorage({ root });
    const store = new ContentStore({ storage, flow: "F" });
    const encoded = encodeArtifact("weights", "train", largeArray(0.5));
    // when
    const ref = await store.put(encoded);
    // then
    await prepareContentHash({ sizes: [encoded.size] });
    assert.equal(ref.hash, contentHash(encoded.chunks, encoded.size));
    assert.deepEqual([storage.namedWrites, storage.writes], [1, 0]);
    const scan = scanDatastore(root);
    assert.deepEqual([scan.blobs, scan.leftovers, scan.problems], [1, 0, []]);
    assert.equal(fs.statSync(path.join(root, store.keyOf(ref.hash))).size, encoded.size);
  });

  test("an identical second blob is hashed only: no second write, same name", async () => {
    // given
    const root = tempDir();
    const storage = new CountingStorage({ root });
    const store = new ContentStore({ storage, flow: "F" });
    const first = await store.put(encodeArtifact("weights", "train", largeArray(0.5)));
    // when
    const second = await store.put(encodeArtifact("copy", "train", largeArray(0.5)));
    // then
    assert.equal(second.hash, first.hash);
    assert.deepEqual([storage.namedWrites, storage.writes], [1, 0]);
    assert.equal(scanDatastore(root).blobs, 1);
  });

  test("a different blob that looks alike (same size, same sampled bytes) is still stored under its own name", async () => {
    // given: differs from the first in one byte between the samples
    const root = tempDir();
    const storage = new CountingStorage({ root });
    const store = new ContentStore({ storage, flow: "F" });
    const first = await store.put(encodeArtifact("weights", "train", largeArray(0.5)));
    const alike = largeArray(0.5);
    alike[1000] = 0.75;
    // when
    const ref = await store.put(encodeArtifact("weights", "train", alike));
    // then: the hint sent it down the hash-then-write path, which wrote it
    assert.notEqual(ref.hash, first.hash);
    assert.deepEqual([storage.namedWrites, storage.writes], [1, 1]);
    const reader = new ContentStore({ storage: new LocalStorage({ root }), flow: "F" });
    await reader.prefetch([ref]);
    assert.equal((reader.get(ref, "weights") as Float64Array)[1000], 0.75);
    assert.deepEqual(scanDatastore(root).problems, []);
  });
});
