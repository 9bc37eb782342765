import assert from "node:assert/strict";
import { createHash, createHmac } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import zlib from "node:zlib";
import { SignatureV4 } from "@smithy/signature-v4";
import { tempDir } from "../../../test/helpers/cli.js";
import { S3RVER_CREDENTIALS, type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { sha256 } from "../../util/hash.js";
import { createDeterministicTgz } from "../package/deterministic-tar.js";
import { startCredentialsEndpoint } from "../simulate/credentials-endpoint.js";
import { BootstrapError, extractTgz, fetchVerified, findCredentials, signS3Get } from "./bootstrap.js";

function bytesOf(data: string | ArrayBuffer | ArrayBufferView): string | Uint8Array {
  if (typeof data === "string") return data;
  return ArrayBuffer.isView(data)
    ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    : new Uint8Array(data);
}

/** SHA-256 for the SDK's signer, as @smithy/hash-node provides it. */
class NodeSha256 {
  readonly #hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash = secret ? createHmac("sha256", bytesOf(secret)) : createHash("sha256");
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytesOf(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.#hash.digest());
  }
}

describe("bootstrap: SigV4 S3 GET", () => {
  let server: S3TestServer;
  const key = "Flow/code/a b+c/package.tgz";
  const bytes = Buffer.from("the package");
  before(async () => {
    server = await startS3Server();
    const { S3Client, PutObjectCommand } = await import("@aws-sdk/client-s3");
    const client = new S3Client({ region: "us-east-1", endpoint: server.endpoint, forcePathStyle: true });
    await client.send(new PutObjectCommand({ Bucket: server.bucket, Key: key, Body: bytes }));
    client.destroy();
  });
  after(() => server.close());

  test("signs exactly as the AWS SDK's own signer does", async () => {
    const now = new Date("2026-03-02T10:30:00Z");
    const cases = [
      { bucket: "my-bucket", key: "Flow/code/abc.tgz", region: "eu-west-1" },
      { bucket: "my.dotted.bucket", key: "a b+c/ümlaut(1)*.tgz", region: "us-east-1" },
      { bucket: "b", key: "k/x.tgz", region: "us-west-2", endpoint: "http://127.0.0.1:4568" },
    ];
    for (const session of [undefined, "FwoGZXIvYXdzEXAMPLE"]) {
      const credentials = {
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ...(session ? { sessionToken: session } : {}),
      };
      for (const c of cases) {
        // given: our request
        const ours = signS3Get({ ...c, credentials, now });
        const url = new URL(ours.url);
        // when: the SDK signs the same request
        const signer = new SignatureV4({
          credentials,
          region: c.region,
          service: "s3",
          sha256: NodeSha256,
          uriEscapePath: false,
          applyChecksum: false,
        });
        const { authorization: _ours, ...unsigned } = ours.headers;
        const sdk = await signer.sign(
          {
            method: "GET",
            protocol: url.protocol,
            hostname: url.hostname,
            ...(url.port ? { port: Number(url.port) } : {}),
            path: url.pathname,
            query: {},
            headers: { ...unsigned, host: url.host },
          },
          { signingDate: now },
        );
        // then
        assert.equal(ours.headers.authorization, sdk.headers.authorization, JSON.stringify(c));
      }
    }
  });

  test("s3rver serves the object at the URL we sign for", async () => {
    const signed = signS3Get({
      bucket: server.bucket,
      key,
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { ...S3RVER_CREDENTIALS },
    });
    const response = await fetch(signed.url, { headers: signed.headers });
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), bytes);
  });

  test("fetchVerified returns the bytes whose sha256 the job pins, and refuses others", async () => {
    const env = {
      AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
      FLOWSHIP_S3_ENDPOINT: server.endpoint,
    };
    const url = `s3://${server.bucket}/${key}`;
    assert.deepEqual(await fetchVerified(env, url, sha256(bytes)), bytes);
    await assert.rejects(fetchVerified(env, url, "0".repeat(64)), /refusing to run it/);
    await assert.rejects(
      fetchVerified(env, `s3://${server.bucket}/Flow/code/missing.tgz`, sha256(bytes)),
      /GET s3:\/\/.*\/Flow\/code\/missing\.tgz answered HTTP 404 \(NoSuchKey\)/,
    );
  });

  test("a byte corrupted in transit is fetched again, not refused", async () => {
    // given: the next answer carries a flipped byte (a proxy in the way), the one after is whole
    const { default: http } = await import("node:http");
    let served = 0;
    const flaky = http.createServer((_request, response) => {
      served++;
      const body = Buffer.from(bytes);
      if (served === 1) body[0] = body[0]! ^ 0xff;
      response.writeHead(200).end(body);
    });
    await new Promise<void>((resolve) => flaky.listen(0, "127.0.0.1", resolve));
    const port = (flaky.address() as { port: number }).port;
    try {
      const env = {
        AWS_ACCESS_KEY_ID: "a",
        AWS_SECRET_ACCESS_KEY: "b",
        FLOWSHIP_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      };
      // when
      const got = await fetchVerified(env, "s3://bucket/key", sha256(bytes));
      // then
      assert.deepEqual(got, bytes);
      assert.equal(served, 2);
    } finally {
      flaky.close();
    }
  });
});

describe("bootstrap: a download's time limit", () => {
  test("restarts with every chunk: a slow download finishes, a stalled one is fetched again", async () => {
    // given: a package sent in 6 pieces 200 ms apart (slower than the 1 s limit as a whole, with room
    // for a busy machine between pieces), and
    // a first answer that stops after one piece for longer than the limit
    const { default: http } = await import("node:http");
    const body = Buffer.alloc(6_000, 3);
    let served = 0;
    const server = http.createServer((request, response) => {
      served++;
      response.writeHead(200, { "content-length": body.length });
      let sent = 0;
      const next = () => {
        response.write(body.subarray(sent, sent + 1_000));
        sent += 1_000;
        if (sent >= body.length) return response.end();
        const stall = request.url!.includes("stalls") && served === 1 && sent === 1_000;
        setTimeout(next, stall ? 5_000 : 200).unref();
      };
      next();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const env = {
      AWS_ACCESS_KEY_ID: "a",
      AWS_SECRET_ACCESS_KEY: "b",
      FLOWSHIP_S3_ENDPOINT: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    };
    try {
      // when / then
      const slow = await fetchVerified(env, "s3://bucket/slow", sha256(body), { idleTimeoutMs: 1_000 });
      assert.deepEqual([slow.length, served], [body.length, 1]);
      served = 0;
      const stalled = await fetchVerified(env, "s3://bucket/stalls", sha256(body), { idleTimeoutMs: 1_000 });
      assert.deepEqual([stalled.length, served], [body.length, 2]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe("bootstrap: credentials", () => {
  test("the token goes to loopback and the ECS/EKS addresses only", async () => {
    // given: an endpoint on this machine's network address (not loopback) that records requests
    const { default: http } = await import("node:http");
    const seen: string[] = [];
    const stranger = http.createServer((request, response) => {
      seen.push(String(request.headers.authorization));
      response.writeHead(200).end(JSON.stringify({ AccessKeyId: "X", SecretAccessKey: "Y", Token: "Z" }));
    });
    await new Promise<void>((resolve) => stranger.listen(0, "0.0.0.0", resolve));
    const port = (stranger.address() as { port: number }).port;
    const outside =
      Object.values(os.networkInterfaces())
        .flat()
        .find((a) => a?.family === "IPv4" && !a.internal)?.address ?? os.hostname();
    try {
      for (const env of [
        { AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://${outside}:${port}/creds` },
        { AWS_CONTAINER_CREDENTIALS_FULL_URI: `https://${outside}:${port}/creds` },
        { AWS_CONTAINER_CREDENTIALS_FULL_URI: `http://169.254.170.2@${outside}:${port}/creds` },
        { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `@${outside}:${port}/creds` },
      ]) {
        // when / then
        await assert.rejects(
          findCredentials({ ...env, AWS_CONTAINER_AUTHORIZATION_TOKEN: "the-token" }),
          (error: Error) =>
            error instanceof BootstrapError &&
            /which is not a container credentials endpoint: only loopback \(127\.0\.0\.0\/8, \[::1\], localhost\) and the ECS\/EKS addresses/.test(
              error.message,
            ),
          JSON.stringify(env),
        );
      }
      assert.deepEqual(seen, [], "no request reached the stranger");
    } finally {
      stranger.close();
    }
  });

  test("from the container credentials endpoint (FULL_URI + token), as Batch serves them", async () => {
    const endpoint = await startCredentialsEndpoint(async () => ({
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
    }));
    try {
      assert.deepEqual(await findCredentials(endpoint.env), {
        accessKeyId: "AKIDEXAMPLE",
        secretAccessKey: "secret",
        sessionToken: "token",
      });
      // A wrong token is refused by the endpoint, so the lookup fails.
      await assert.rejects(
        findCredentials({ ...endpoint.env, AWS_CONTAINER_AUTHORIZATION_TOKEN: "wrong" }),
        /answered HTTP 403/,
      );
    } finally {
      await endpoint.close();
    }
  });

  test("environment variables come first", async () => {
    assert.deepEqual(
      await findCredentials({
        AWS_ACCESS_KEY_ID: "A",
        AWS_SECRET_ACCESS_KEY: "B",
        AWS_CONTAINER_CREDENTIALS_FULL_URI: "http://127.0.0.1:9/never",
      }),
      { accessKeyId: "A", secretAccessKey: "B" },
    );
  });
});

describe("bootstrap: extracting the package without a tar program", () => {
  test("gives back every file of a package, long names included", () => {
    // given
    const long = `source/${"deep/".repeat(30)}flow.ts`;
    const files = [
      { path: "batch-task.mjs", bytes: Buffer.from("runtime") },
      { path: "flow.mjs", bytes: Buffer.alloc(70_000, 7) },
      { path: long, bytes: Buffer.from("export {}") },
    ];
    const into = tempDir();
    // when
    const written = extractTgz(createDeterministicTgz(files), into);
    // then
    assert.deepEqual(written.sort(), files.map((f) => f.path).sort());
    for (const file of files) assert.deepEqual(fs.readFileSync(path.join(into, file.path)), file.bytes);
    assert.equal(fs.statSync(path.join(into, "flow.mjs")).mode & 0o077, 0, "files are private");
  });

  test("refuses an entry that would land outside the folder", () => {
    // given: a tar whose entry is renamed '../escaped' (the checksum is not what is checked)
    const tar = zlib.gunzipSync(createDeterministicTgz([{ path: "aaaaaaaaaa", bytes: Buffer.from("x") }]));
    tar.write("../escaped\0", 0, "utf8");
    const into = path.join(tempDir(), "package");
    fs.mkdirSync(into);
    // when / then
    assert.throws(() => extractTgz(zlib.gzipSync(tar), into), BootstrapError);
    assert.equal(fs.existsSync(path.join(into, "..", "escaped")), false);
  });
});
