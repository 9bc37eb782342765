/**
 * The S3 backend's local copies: private to the user who made them, and never a blob damaged on
 * the way (it is fetched again, as S3 itself holds only what it checked on upload).
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { tempDir } from "../../../test/helpers/cli.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { ContentStore } from "../content-store.js";
import { encodeArtifact } from "../serializer.js";
import { ReadCache } from "./s3/read-cache.js";
import { S3Storage } from "./s3.js";

let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(() => server.close());

/** A proxy in front of s3rver that flips one byte in the body of the next `damage` GETs of blobs. */
async function damagingProxy(
  damage: number,
): Promise<{ endpoint: string; gets: () => number; close(): void }> {
  let gets = 0;
  const proxy = http.createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const upstream = await fetch(`${server.endpoint}${request.url}`, {
      method: request.method!,
      headers: request.headers as Record<string, string>,
      ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
    });
    const body = Buffer.from(await upstream.arrayBuffer());
    if (request.method === "GET" && /\/data\//.test(request.url!) && upstream.ok) {
      gets++;
      if (damage-- > 0) body[body.length - 1]! ^= 0x01;
    }
    const headers = Object.fromEntries(upstream.headers);
    delete headers["content-encoding"];
    delete headers["transfer-encoding"];
    response.writeHead(upstream.status, { ...headers, "content-length": String(body.length) }).end(body);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    gets: () => gets,
    close: () => proxy.close(),
  };
}

describe("S3 read cache", () => {
  test("a blob damaged in transit is fetched again, not reported as corrupt", async () => {
    // given: an artifact stored in S3, read back through a proxy that damages the first download
    const root = `s3://${server.bucket}/${randomUUID()}`;
    const storage = new S3Storage({ root, endpoint: server.endpoint, cacheDir: tempDir() });
    const writer = new ContentStore({ storage, flow: "Flow" });
    const ref = await writer.put(encodeArtifact("value", "start", { value: "precious" }));
    const proxy = await damagingProxy(1);
    try {
      const reader = new ContentStore({
        storage: new S3Storage({ root, endpoint: proxy.endpoint, cacheDir: tempDir() }),
        flow: "Flow",
      });
      // when
      await reader.prefetch([ref]);
      // then
      assert.deepEqual(reader.get(ref, "test artifact"), { value: "precious" });
      assert.equal(proxy.gets(), 2);
    } finally {
      proxy.close();
    }
  });

  test("lives in a folder only its user can enter, with files only its user can read", async () => {
    // given
    const base = tempDir();
    const dir = ReadCache.privateDir(base, "bucket", "prefix");
    const cache = new ReadCache({ dir });
    // when
    cache.store("Flow/data/ab/blob", Buffer.from("secret"));
    // then
    const top = path.join(base, `flowship-s3-cache-${process.getuid!()}`);
    assert.ok(dir.startsWith(top));
    assert.equal(fs.statSync(top).mode & 0o777, 0o700);
    assert.equal(fs.statSync(cache.pathOf("Flow/data/ab/blob")).mode & 0o777, 0o600);
  });

  test("a cache folder someone else could write to is never used", async () => {
    // given: the user's cache folder name, taken by a folder others may write to
    const base = tempDir();
    const planted = path.join(base, `flowship-s3-cache-${process.getuid!()}`);
    fs.mkdirSync(planted, { mode: 0o777 });
    fs.chmodSync(planted, 0o777);
    // when
    const dir = ReadCache.privateDir(base, "bucket");
    // then: a fresh private folder instead
    // (Compared as folders: the fresh folder's random suffix may begin with the uid's digits.)
    assert.notEqual(path.dirname(dir), planted);
    assert.equal(fs.statSync(path.dirname(dir)).mode & 0o777, 0o700);
    assert.equal(os.userInfo().uid, fs.statSync(path.dirname(dir)).uid);
  });
});
