// The piecewise reader that lets the datastore read blobs of 2 GiB and more (fs.readFileSync's
// limit): the same bytes as readFileSync, whatever the piece size, sizes on and off piece bounds.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { READ_PIECE_BYTES, readWholeFileSync } from "./read-whole-file.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-read-whole-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));

test("reads a file in pieces into one buffer that owns its memory", () => {
  for (const size of [0, 1, 7, 4096, 4097, 100_003]) {
    // given
    const file = path.join(dir, `f-${size}`);
    const bytes = randomBytes(size);
    fs.writeFileSync(file, bytes);
    for (const piece of [1, 3, 4096, READ_PIECE_BYTES]) {
      // when
      const read = readWholeFileSync(file, piece);
      // then
      assert.ok(read.equals(bytes), `size ${size}, pieces of ${piece}`);
      assert.equal(read.byteOffset, 0);
      assert.equal(read.buffer.byteLength, size);
    }
  }
});

test("pieces stay under the 2 GiB one read may return", () => {
  assert.ok(READ_PIECE_BYTES < 2 ** 31 - 1);
});

test("a missing file fails as readFileSync does", () => {
  assert.throws(() => readWholeFileSync(path.join(dir, "absent")), { code: "ENOENT" });
});
