import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, test } from "node:test";
import { CONTENT_NAME, contentHash, loadContentHash, matchesContentName } from "./content-hash.js";

await loadContentHash();

describe("content hash", () => {
  test("is XXH3-128 as `xxhsum -H2` prints it, whatever the chunking", () => {
    // Reference values from the xxHash project's implementation (xxhsum -H2).
    assert.equal(contentHash([Buffer.from("hello")]), "b5e9c1ad071b3e7fc779cfaa5e523818");
    assert.equal(contentHash([Buffer.from("hel"), Buffer.from("lo")]), "b5e9c1ad071b3e7fc779cfaa5e523818");
    assert.equal(
      contentHash([new Float64Array([1.5, 2.5])]),
      contentHash([Buffer.from(new Float64Array([1.5, 2.5]).buffer)]),
    );
    assert.match(contentHash([]), CONTENT_NAME);
  });

  test("checks bytes against names of either generation", () => {
    const bytes = Buffer.from("artifact bytes");
    assert.equal(matchesContentName(contentHash([bytes]), bytes), true);
    assert.equal(matchesContentName(createHash("sha256").update(bytes).digest("hex"), bytes), true);
    assert.equal(matchesContentName(contentHash([bytes]), Buffer.from("artifact bytez")), false);
  });
});
