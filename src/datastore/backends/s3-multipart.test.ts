/**
 * Large objects go to S3 as multipart uploads: cut without copying, visible only when complete,
 * aborted when a part fails.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { cutParts, partSizeFor } from "./s3/multipart-upload.js";
import { S3Storage } from "./s3.js";

const MiB = 1024 * 1024;
let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(() => server.close());

const digest = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

describe("S3 multipart upload", () => {
  test("a 40 MiB object is uploaded in parts and reads back intact", async () => {
    // given: uneven chunks, so parts cross chunk boundaries
    const storage = new S3Storage({
      root: `s3://${server.bucket}/${randomUUID()}`,
      endpoint: server.endpoint,
    });
    const chunks = [randomBytes(3 * MiB), randomBytes(30 * MiB), randomBytes(7 * MiB), randomBytes(1)];
    const whole = Buffer.concat(chunks);
    const before = server.requests.length;
    // when
    await storage.write("Flow/data/big", chunks);
    // then
    const seen = server.requests.slice(before);
    assert.equal(seen.filter((r) => r.method === "POST" && r.url.includes("uploads")).length, 1);
    assert.equal(seen.filter((r) => r.method === "PUT" && r.url.includes("partNumber=")).length, 6);
    assert.equal(seen.filter((r) => r.method === "POST" && r.url.includes("uploadId=")).length, 1);
    assert.equal(digest((await storage.read("Flow/data/big"))!), digest(whole));
  });

  test("a failed part aborts the upload and leaves the previous object", async () => {
    // given
    const storage = new S3Storage({
      root: `s3://${server.bucket}/${randomUUID()}`,
      endpoint: server.endpoint,
    });
    await storage.write("Flow/data/big", ["previous"]);
    server.failNext({
      count: 1,
      status: 400,
      code: "InvalidPart",
      match: (r) => r.url.includes("partNumber=2"),
    });
    const before = server.requests.length;
    // when
    const failure = await storage.write("Flow/data/big", [Buffer.alloc(20 * MiB, 7)]).then(
      () => undefined,
      (error: unknown) => error as Error & { code: string },
    );
    // then
    assert.equal(failure?.code, "FS_DATASTORE_S3_REQUEST");
    assert.ok(failure.message.includes(`${storage.description}/Flow/data/big`), failure.message);
    const seen = server.requests.slice(before);
    assert.ok(
      seen.some((r) => r.method === "DELETE" && r.url.includes("uploadId=")),
      "upload aborted",
    );
    assert.equal((await storage.read("Flow/data/big"))?.toString(), "previous");
  });
});

describe("cutting parts", () => {
  test("parts are exact, and views on the input when inside one chunk", () => {
    // given
    const big = Buffer.alloc(12, 1);
    const chunks = [big, Buffer.from([2, 3]), Buffer.from([4])];
    // when
    const parts = [...cutParts(chunks, 5)];
    // then
    assert.deepEqual(
      parts.map((p) => [...p]),
      [
        [1, 1, 1, 1, 1],
        [1, 1, 1, 1, 1],
        [1, 1, 2, 3, 4],
      ],
    );
    assert.equal(parts[0]!.buffer, big.buffer, "no copy for a part inside one chunk");
  });

  test("part size respects S3's 5 MiB minimum and 10,000-part maximum", () => {
    assert.equal(partSizeFor(40 * MiB), 8 * MiB);
    assert.equal(partSizeFor(40 * MiB, 1), 5 * MiB);
    assert.ok(partSizeFor(200 * 1024 * MiB) * 10_000 >= 200 * 1024 * MiB);
  });
});
