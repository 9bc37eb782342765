/**
 * A throwaway S3 for tests: s3rver on 127.0.0.1 (ephemeral port, temporary folder, one bucket),
 * behind a small front server that records requests, answers with injected errors, can stop and
 * restart on the same port, and adds the S3 semantics s3rver lacks (see s3-semantics.ts).
 * Loopback only.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type S3rverStore, sendS3Error, withS3Semantics } from "./s3-semantics.js";

/** The credentials s3rver accepts (its documented defaults); never real ones. */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } as const;

interface S3rverInstance {
  configureBuckets(): Promise<void>;
  callback(): http.RequestListener;
  store: S3rverStore;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

// s3rver is CommonJS without type declarations.
const S3rver = createRequire(import.meta.url)("s3rver") as S3rverConstructor;

interface PutObjectStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: {
    bucket: string;
    key: string;
    metadata: unknown;
    content: Buffer | NodeJS.ReadableStream;
  }): Promise<{ size: number; md5: string }>;
}

/**
 * s3rver streams a PUT's body straight into the object's file, so a connection cut mid-upload
 * (a server stopped by `stop()` or `outage()`) leaves half an object behind, and a reader can
 * catch a file half written — S3 does neither: an upload that does not complete creates nothing,
 * and an object is replaced whole. Here the body is collected first, then written to a temporary
 * file renamed over the object.
 */
function writeWholeObjectsOnly(store: PutObjectStore): void {
  store.putObject = async (object) => {
    const content = Buffer.isBuffer(object.content) ? object.content : await collect(object.content);
    const objectPath = store.getResourcePath(object.bucket, object.key, "object");
    await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
    const temporary = `${objectPath}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await fs.promises.writeFile(temporary, content);
    await fs.promises.rename(temporary, objectPath);
    const md5 = createHash("md5").update(content).digest("hex");
    await store.putMetadata(object.bucket, object.key, object.metadata, md5);
    return { size: content.length, md5 };
  };
}

function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    // The client may have gone already (the server was stopped while s3rver checked the request):
    // its stream will emit nothing more, so waiting for an event would hang the request forever.
    const state = stream as NodeJS.ReadableStream & { destroyed?: boolean; readableEnded?: boolean };
    if (state.destroyed && !state.readableEnded) {
      reject(new Error("upload cut short: nothing stored"));
      return;
    }
    const chunks: Buffer[] = [];
    let ended = false;
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    stream.on("end", () => {
      ended = true;
      resolve(Buffer.concat(chunks));
    });
    stream.on("error", reject);
    stream.on("close", () => {
      if (!ended) reject(new Error("upload cut short: nothing stored"));
    });
  });
}

/** One request the front server saw. */
export interface SeenRequest {
  method: string;
  url: string;
}

/** Answers matching requests with an S3 error instead of passing them to s3rver. */
export interface InjectedFailure {
  /** How many matching requests fail. */
  count: number;
  status: number;
  /** The S3 error code, e.g. `SlowDown`. */
  code: string;
  /** Which requests fail. @default every request */
  match?: (request: SeenRequest) => boolean;
}

export interface S3TestServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  bucket: string;
  /** Every request received, in order (including injected failures). */
  requests: SeenRequest[];
  /** Stops listening and drops open connections: requests now fail to connect. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  restart(): Promise<void>;
  /** Stops now and restarts after `ms`; resolves once restarted. */
  outage(ms: number): Promise<void>;
  failNext(failure: InjectedFailure): void;
  /** Stops for good and deletes the server's folder. */
  close(): Promise<void>;
}

export interface S3TestServerOptions {
  /** @default "flowship-test" */
  bucket?: string;
  /**
   * s3rver 3.7 ignores `If-None-Match` on PUT. When true (the default), the front server answers
   * 412 PreconditionFailed as S3 does when the object exists, so conditional creates are tested
   * against S3's documented behaviour. Set false to test a store that ignores the header.
   */
  conditionalWrites?: boolean;
}

/**
 * Sets the s3rver credentials in this process's environment, where the SDK's default provider
 * chain finds them, and starts a server.
 */
export async function startS3Server(options: S3TestServerOptions = {}): Promise<S3TestServer> {
  process.env.AWS_ACCESS_KEY_ID = S3RVER_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = S3RVER_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_SESSION_TOKEN;
  const bucket = options.bucket ?? "flowship-test";
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-s3rver-"));
  const s3rver = new S3rver({ silent: true, directory, configureBuckets: [{ name: bucket }] });
  writeWholeObjectsOnly(s3rver.store as unknown as PutObjectStore);
  await s3rver.configureBuckets();
  const semantics = withS3Semantics({
    store: s3rver.store,
    next: s3rver.callback(),
    ...(options.conditionalWrites === undefined ? {} : { conditionalWrites: options.conditionalWrites }),
  });
  const requests: SeenRequest[] = [];
  const failures: InjectedFailure[] = [];

  const onRequest: http.RequestListener = (req, res) => {
    const seen = { method: req.method ?? "", url: req.url ?? "" };
    requests.push(seen);
    const failure = failures.find((f) => f.count > 0 && (f.match?.(seen) ?? true));
    if (!failure) {
      semantics(req, res);
      return;
    }
    failure.count--;
    req.resume();
    req.on("end", () => sendS3Error(res, failure.status, failure.code));
  };

  let server = http.createServer(onRequest);
  await listen(server, 0);
  const port = (server.address() as AddressInfo).port;
  let running = true;

  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  };
  const restart = async (): Promise<void> => {
    if (running) return;
    server = http.createServer(onRequest);
    await listen(server, port);
    running = true;
  };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    requests,
    stop,
    restart,
    async outage(ms) {
      await stop();
      await new Promise((resolve) => setTimeout(resolve, ms));
      await restart();
    },
    failNext(failure) {
      failures.push({ ...failure });
    },
    async close() {
      await stop();
      fs.rmSync(directory, { recursive: true, force: true });
    },
  };
}

function listen(server: http.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
}
