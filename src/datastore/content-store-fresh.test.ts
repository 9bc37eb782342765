// Its own file, so that nothing else in this process has loaded the XXH3 hasher (test helpers do).
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { LocalStorage } from "./backends/local.js";
import { FAST_HASH_FROM } from "./content-hash.js";
import { ContentStore } from "./content-store.js";
import { encodeArtifact } from "./serializer.js";

test("a large blob just stored is readable in the same process without a prefetch", async () => {
  // given: a process that has never hashed a large blob
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-fresh-"));
  const store = new ContentStore({ storage: new LocalStorage({ root }), flow: "F" });
  try {
    // when
    const ref = await store.put(
      encodeArtifact("weights", "train", new Float64Array(FAST_HASH_FROM / 8).fill(0.5)),
    );
    // then: the read verifies the XXH3 name, so the store must have readied that hasher
    assert.equal((store.get(ref, "weights") as Float64Array)[0], 0.5);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
