import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { tempDir } from "../../test/helpers/cli.js";
import { LocalStorage } from "./backends/local.js";
import {
  CONTENT_NAME,
  contentHash,
  FAST_HASH_FROM,
  matchesContentName,
  prepareContentHash,
} from "./content-hash.js";
import { ContentStore } from "./content-store.js";
import { encodeArtifact } from "./serializer.js";

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("content hash", () => {
  test("a blob under 64 MiB is named by its SHA-256, whatever the chunking", () => {
    const hello = Buffer.from("hello");
    assert.equal(contentHash([hello], 5), sha256(hello));
    assert.equal(contentHash([Buffer.from("hel"), Buffer.from("lo")], 5), sha256(hello));
    const floats = new Float64Array([1.5, 2.5]);
    assert.equal(contentHash([floats], 16), sha256(Buffer.from(floats.buffer)));
  });

  test("a blob of 64 MiB or more is named by its XXH3-128, as `xxhsum -H2` prints it", async () => {
    await prepareContentHash({ sizes: [FAST_HASH_FROM] });
    // `printf hello | xxhsum -H2` (the xxHash project's own tool) prints this value.
    assert.equal(matchesContentName("b5e9c1ad071b3e7fc779cfaa5e523818", Buffer.from("hello")), true);
    const big = Buffer.alloc(FAST_HASH_FROM, 7);
    const name = contentHash([big.subarray(0, 1000), big.subarray(1000)], big.length);
    assert.match(name, /^[0-9a-f]{32}$/);
    assert.equal(matchesContentName(name, big), true);
    big[12345] = 8;
    assert.equal(matchesContentName(name, big), false);
  });

  test("names of either kind are checked against the bytes", () => {
    const bytes = Buffer.from("artifact bytes");
    assert.match(sha256(bytes), CONTENT_NAME);
    assert.equal(matchesContentName(sha256(bytes), bytes), true);
    assert.equal(matchesContentName(sha256(bytes), Buffer.from("artifact bytez")), false);
  });

  test("a large artifact round-trips through the store and verifies on load", async () => {
    const root = tempDir();
    const store = new ContentStore({ storage: new LocalStorage({ root }), flow: "F" });
    const value = new Float64Array(FAST_HASH_FROM / 8).fill(0.25);
    const ref = await store.put(encodeArtifact("weights", "train", value));
    assert.match(ref.hash, /^[0-9a-f]{32}$/);
    const reader = new ContentStore({ storage: new LocalStorage({ root }), flow: "F" });
    await reader.prefetch([ref]);
    const back = reader.get(ref, "weights") as Float64Array;
    assert.equal(back.length, value.length);
    assert.equal(back[back.length - 1], 0.25);
  });
});
