/**
 * How the S3 backend behaves when S3 misbehaves: throttling, server errors, an outage, a store
 * that is gone for good, a missing bucket, wrong credentials.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout } from "node:timers/promises";
import { S3Client } from "@aws-sdk/client-s3";
import { tempDir } from "../../../test/helpers/cli.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { S3Storage, type S3StorageOptions } from "./s3.js";

const caches = tempDir("flowship-s3-cache-");
let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(() => server.close());

function open(options: Partial<S3StorageOptions> = {}): S3Storage {
  return new S3Storage({
    root: `s3://${server.bucket}/${randomUUID()}`,
    endpoint: server.endpoint,
    cacheDir: path.join(caches, randomUUID()),
    ...options,
  });
}

const putsOf = (key: string) => server.requests.filter((r) => r.method === "PUT" && r.url.includes(key));

describe("S3 backend retries", () => {
  test("throttling (503 SlowDown, 429) is retried until the write succeeds", async () => {
    // given
    const storage = open();
    const key = `Flow/throttled-${randomUUID()}`;
    server.failNext({ count: 2, status: 503, code: "SlowDown", match: (r) => r.url.includes(key) });
    server.failNext({ count: 1, status: 429, code: "TooManyRequests", match: (r) => r.url.includes(key) });
    // when
    await storage.write(key, ["made it"]);
    // then
    assert.equal(putsOf(key).length, 4);
    assert.equal((await storage.read(key))?.toString(), "made it");
  });

  test("server errors (500, 502) on reads are retried", async () => {
    // given
    const storage = open();
    const key = `Flow/flaky-${randomUUID()}`;
    await storage.write(key, ["stable"]);
    server.failNext({
      count: 1,
      status: 500,
      code: "InternalError",
      match: (r) => r.method === "GET" && r.url.includes(key),
    });
    server.failNext({
      count: 1,
      status: 502,
      code: "BadGateway",
      match: (r) => r.method === "GET" && r.url.includes(key),
    });
    // when
    const bytes = await storage.read(key);
    // then
    assert.equal(bytes?.toString(), "stable");
    assert.equal(server.requests.filter((r) => r.method === "GET" && r.url.includes(key)).length, 3);
  });

  test("a write survives the store being down for two seconds", async () => {
    // given: the store is down when the write starts
    const storage = open();
    const key = `Flow/outage-${randomUUID()}`;
    await server.stop();
    // when
    const writing = storage.write(key, ["written across an outage"]);
    await setTimeout(2000);
    await server.restart();
    await writing;
    // then
    assert.equal((await storage.read(key))?.toString(), "written across an outage");
  });

  test("a store that stays down fails with one clear error naming the object", async () => {
    // given
    const storage = open({ maxAttempts: 2 });
    await server.stop();
    try {
      // when
      const failure = await storage.write("Flow/runs/1/run.json", ["x"]).then(
        () => undefined,
        (error: unknown) => error as Error & { code: string },
      );
      // then
      assert.equal(failure?.code, "FS_DATASTORE_S3_UNAVAILABLE");
      assert.ok(failure.message.includes(`${storage.description}/Flow/runs/1/run.json`), failure.message);
      assert.ok(!failure.message.includes("\n"), failure.message);
      await assert.rejects(storage.list("Flow/runs"), { code: "FS_DATASTORE_S3_UNAVAILABLE" });
    } finally {
      await server.restart();
    }
  });
});

describe("S3 backend errors", () => {
  test("a missing bucket is named as such", async () => {
    // given
    const storage = open({ root: "s3://no-such-bucket/flowship" });
    // when / then
    await assert.rejects(storage.write("Flow/x", ["x"]), { code: "FS_DATASTORE_S3_NO_BUCKET" });
    await assert.rejects(storage.read("Flow/x"), { code: "FS_DATASTORE_S3_NO_BUCKET" });
    await assert.rejects(storage.list("Flow"), { code: "FS_DATASTORE_S3_NO_BUCKET" });
  });

  test("rejected credentials are reported as access denied", async () => {
    // given: a client signing with a key the store does not know (s3rver does not check v4 secrets)
    const client = new S3Client({
      endpoint: server.endpoint,
      forcePathStyle: true,
      region: "us-east-1",
      maxAttempts: 1,
      credentials: { accessKeyId: "NOT-A-KEY", secretAccessKey: "not-the-secret" },
    });
    const storage = open({ client });
    // when / then
    await assert.rejects(storage.write("Flow/x", ["x"]), { code: "FS_DATASTORE_S3_ACCESS" });
  });

  test("readSync of a key that was never prefetched says so", async () => {
    // given
    const storage = open();
    await storage.write("Flow/data/aa/blob", ["x"]);
    // when / then
    assert.throws(() => storage.readSync("Flow/data/aa/blob"), { code: "FS_DATASTORE_NOT_PREFETCHED" });
  });

  test("a root that is not s3://bucket/prefix is refused", () => {
    for (const root of [
      "bucket/prefix",
      "s3://",
      "s3://UPPER/x",
      "s3://b/../x",
      "s3://bucket/a//b",
      "http://bucket/x",
    ]) {
      assert.throws(() => new S3Storage({ root }), { code: "FS_DATASTORE_S3_ROOT" }, root);
    }
    assert.equal(
      new S3Storage({ root: "s3://my-bucket/team/flowship/" }).description,
      "s3://my-bucket/team/flowship",
    );
    assert.equal(new S3Storage({ root: "s3://my-bucket" }).description, "s3://my-bucket");
  });
});

describe("S3 backend paging, create fallback and cache", () => {
  test("list and remove page through more keys than fit one response", async () => {
    // given
    const storage = open({ listPageSize: 2 });
    const names = ["a", "b", "c", "d", "e"];
    for (const name of names) await storage.write(`Flow/runs/${name}/run.json`, ["x"]);
    await storage.write("Flow/runs/f", ["x"]);
    // when
    const listed = await storage.list("Flow/runs");
    await storage.remove("Flow/runs");
    // then
    assert.deepEqual(listed, [...names, "f"]);
    assert.deepEqual(await storage.list("Flow"), []);
  });

  test("create still refuses an existing key on a store that ignores If-None-Match", async () => {
    // given
    const lenient = await startS3Server({ conditionalWrites: false });
    try {
      const storage = new S3Storage({ root: `s3://${lenient.bucket}/p`, endpoint: lenient.endpoint });
      // when
      const first = await storage.create("Flow/claim", "first");
      const second = await storage.create("Flow/claim", "second");
      // then
      assert.deepEqual([first, second], [true, false]);
      assert.equal((await storage.read("Flow/claim"))?.toString(), "first");
    } finally {
      await lenient.close();
    }
  });

  test("a content-addressed object already in the cache is not downloaded again", async () => {
    // given: one process prefetched a blob into a shared cache folder
    const cacheDir = path.join(caches, randomUUID());
    const root = `s3://${server.bucket}/${randomUUID()}`;
    const writer = open({ root, cacheDir });
    const sha = "5d41402abc4b2a76b9719d911017c592bd6c3a6e6b2b0f0a57c1f7d1d6d6c1c5".replace(/./g, "0");
    const key = `Flow/data/00/${sha}`;
    const content = Buffer.from("hello");
    const realSha = (await import("node:crypto")).createHash("sha256").update(content).digest("hex");
    const realKey = `Flow/data/${realSha.slice(0, 2)}/${realSha}`;
    await writer.write(realKey, [content]);
    await writer.write(key, ["bytes that do not match the name"]);
    await writer.prefetch([realKey, key]);
    // when: another instance prefetches the same keys
    const reader = open({ root, cacheDir });
    const before = server.requests.length;
    await reader.prefetch([realKey, key]);
    // then: only the key whose cached bytes do not match its name is fetched again (and, as its
    // bytes still do not match, three more times: a download damaged in transit would be mended)
    const fetched = server.requests.slice(before).map((r) => r.url);
    assert.equal(fetched.length, 4);
    assert.ok(fetched.every((url) => url.includes(sha)));
    assert.deepEqual(reader.readSync(realKey), content);
  });
});
