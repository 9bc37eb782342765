/**
 * The datastore in an S3 bucket (or an S3-compatible store), below `s3://<bucket>/<prefix>`.
 * Datastore keys map one to one to object keys below the prefix, so the layout is the same as
 * in a local folder (see docs/datastore.md).
 */
import os from "node:os";
import { setTimeout } from "node:timers/promises";
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { s3MaxAttempts } from "../../config.js";
import { checkKey, type Storage } from "../storage.js";
import { createS3Client } from "./s3/create-s3-client.js";
import { forEachLimit } from "./s3/for-each-limit.js";
import { uploadMultipart } from "./s3/multipart-upload.js";
import { readBody, toBuffer } from "./s3/object-body.js";
import { ReadCache } from "./s3/read-cache.js";
import { httpStatus, type S3Operation, s3Failure } from "./s3/s3-errors.js";
import { objectKey, parseS3Root, type S3Location, s3Url } from "./s3/s3-url.js";

/** Objects above this size are sent as multipart uploads. */
export const MULTIPART_THRESHOLD = 16 * 1024 * 1024;
/** How often a download whose bytes do not match their name is fetched again. */
const DAMAGED_REFETCHES = 3;

/** Downloads `prefetch` runs at once. */
const PREFETCH_CONCURRENCY = 8;
/** DeleteObjects takes at most 1,000 keys per request. */
const DELETE_BATCH = 1000;
/** Downloads of one object whose body breaks off before giving up. */
const BODY_ATTEMPTS = 4;
/** Rounds of HEAD + conditional PUT when S3 reports a concurrent conditional write (409). */
const CREATE_ROUNDS = 5;

/** How to open an S3 datastore. */
export interface S3StorageOptions {
  /** `s3://<bucket>/<prefix>` */
  root: string;
  /** An S3-compatible endpoint such as `http://127.0.0.1:4568`; enables path-style requests. */
  endpoint?: string;
  /** @default the SDK's region chain (AWS_REGION, shared config), else us-east-1 */
  region?: string;
  /** Attempts per request, the first included. @default FLOWSHIP_S3_MAX_ATTEMPTS, else 10 */
  maxAttempts?: number;
  /** A ready client, for tests; `endpoint`, `region` and `maxAttempts` are then ignored. */
  client?: S3Client;
  /** Where prefetched objects are kept. @default `<os tmpdir>/flowship-s3-cache/<bucket>/<prefix>` */
  cacheDir?: string;
  /** @internal Keys per ListObjectsV2 page (tests use a small one to exercise paging). @default 1000 */
  listPageSize?: number;
}

/**
 * Stores datastore objects in S3.
 *
 * @example
 * const storage = new S3Storage({ root: "s3://my-bucket/flowship" });
 * await storage.write("HelloFlow/latest_run", ['{"runId":"1"}']);
 */
export class S3Storage implements Storage {
  readonly description: string;
  readonly location: S3Location;
  readonly #client: S3Client;
  readonly #cache: ReadCache;
  readonly #listPageSize: number;

  constructor(options: S3StorageOptions) {
    this.location = parseS3Root(options.root);
    this.description = s3Url(this.location);
    this.#client =
      options.client ??
      createS3Client({
        ...(options.endpoint ? { endpoint: options.endpoint } : {}),
        ...(options.region ? { region: options.region } : {}),
        maxAttempts: options.maxAttempts ?? s3MaxAttempts(),
      });
    this.#cache = new ReadCache({
      dir: options.cacheDir ?? ReadCache.privateDir(os.tmpdir(), this.location.bucket, this.location.prefix),
    });
    this.#listPageSize = options.listPageSize ?? 1000;
  }

  async read(key: string): Promise<Buffer | undefined> {
    const params = this.#params(key);
    return this.#request("read", key, async () => {
      for (let attempt = 1; ; attempt++) {
        let response: GetObjectCommandOutput;
        try {
          response = await this.#client.send(new GetObjectCommand(params));
        } catch (error) {
          if (httpStatus(error) === 404 && (error as Error).name !== "NoSuchBucket") return undefined;
          throw error;
        }
        try {
          return await readBody(response.Body as AsyncIterable<Uint8Array>, response.ContentLength);
        } catch (error) {
          // The SDK retries a request until its headers arrive; a body cut off later is ours.
          if (attempt >= BODY_ATTEMPTS) throw error;
          await setTimeout(Math.random() * 100 * 2 ** attempt);
        }
      }
    });
  }

  async readRange(
    key: string,
    start: number,
    length: number,
  ): Promise<{ bytes: Buffer; size: number } | undefined> {
    const params = this.#params(key);
    return this.#request("read", key, async () => {
      let response: GetObjectCommandOutput;
      try {
        const range = `bytes=${start}-${start + Math.max(1, length) - 1}`;
        response = await this.#client.send(new GetObjectCommand({ ...params, Range: range }));
      } catch (error) {
        const status = httpStatus(error);
        if (status === 404 && (error as Error).name !== "NoSuchBucket") return undefined;
        // 416: the range starts at or past the end; nothing new, and a HEAD says how big it is.
        if (status !== 416) throw error;
        const head = await this.#client.send(new HeadObjectCommand(params));
        return { bytes: Buffer.alloc(0), size: head.ContentLength ?? 0 };
      }
      const bytes = await readBody(response.Body as AsyncIterable<Uint8Array>, response.ContentLength);
      // "bytes 0-99/1234": the whole object's size after the slash.
      const size = Number(/\/(\d+)$/.exec(response.ContentRange ?? "")?.[1] ?? bytes.length);
      return { bytes: bytes.subarray(0, length), size };
    });
  }

  async write(key: string, chunks: Iterable<NodeJS.ArrayBufferView | string>): Promise<void> {
    const params = this.#params(key);
    // Views on the caller's memory, not copies: only small objects are joined into one buffer.
    const buffers = [...chunks].map(toBuffer);
    const size = buffers.reduce((total, b) => total + b.length, 0);
    this.#cache.forget(key);
    await this.#request("write", key, async () => {
      if (size > MULTIPART_THRESHOLD) {
        await uploadMultipart({
          client: this.#client,
          bucket: params.Bucket,
          key: params.Key,
          buffers,
          size,
        });
      } else {
        const body = buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers, size);
        await this.#client.send(new PutObjectCommand({ ...params, Body: body, ContentLength: size }));
      }
    });
  }

  /**
   * A HEAD first, then a PUT with `If-None-Match: *`. S3 rejects the conditional PUT with 412
   * when the object exists, which makes concurrent creates safe. The HEAD protects stores that
   * ignore the header (s3rver 3.7 does); on those, two creates racing between HEAD and PUT can
   * both succeed, and the last one's content stays.
   */
  async create(key: string, content: string): Promise<boolean> {
    const params = this.#params(key);
    this.#cache.forget(key);
    for (let round = 1; round <= CREATE_ROUNDS; round++) {
      if (await this.exists(key)) return false;
      const outcome = await this.#request("create", key, async () => {
        try {
          await this.#client.send(
            new PutObjectCommand({ ...params, Body: Buffer.from(content), IfNoneMatch: "*" }),
          );
          return "created";
        } catch (error) {
          const status = httpStatus(error);
          if (status === 412) return "exists";
          // 409 ConditionalRequestConflict: another conditional write to the key is in flight.
          if (status === 409 && round < CREATE_ROUNDS) return "conflict";
          throw error;
        }
      });
      if (outcome !== "conflict") return outcome === "created";
    }
    return false;
  }

  async exists(key: string): Promise<boolean> {
    return this.#request("check", key, async () => {
      try {
        await this.#client.send(new HeadObjectCommand(this.#params(key)));
        return true;
      } catch (error) {
        // A HEAD error has no body, so a missing bucket is also a bare 404; list() tells them apart.
        if (httpStatus(error) === 404) return false;
        throw error;
      }
    });
  }

  async list(prefix: string): Promise<string[]> {
    const folder = prefix === "" ? this.#folderPrefix("") : this.#folderPrefix(checkKey(prefix));
    const names = new Set<string>();
    await this.#request("list", prefix, async () => {
      let token: string | undefined;
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: folder,
            Delimiter: "/",
            MaxKeys: this.#listPageSize,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const object of page.Contents ?? []) names.add(object.Key!.slice(folder.length));
        for (const common of page.CommonPrefixes ?? []) {
          names.add(common.Prefix!.slice(folder.length).replace(/\/$/, ""));
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    });
    names.delete("");
    return [...names].sort();
  }

  async remove(key: string): Promise<void> {
    const params = this.#params(key);
    this.#cache.forgetTree(key);
    await this.#request("remove", key, async () => {
      await this.#client.send(new DeleteObjectCommand(params));
      const below = await this.#listAll(`${params.Key}/`);
      for (let start = 0; start < below.length; start += DELETE_BATCH) {
        const batch = below.slice(start, start + DELETE_BATCH);
        const result = await this.#client.send(
          new DeleteObjectsCommand({
            Bucket: params.Bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        const failed = result.Errors?.[0];
        if (failed) {
          throw Object.assign(new Error(`${failed.Code}: ${failed.Message} (${failed.Key})`), {
            name: failed.Code ?? "DeleteFailed",
          });
        }
      }
    });
  }

  /** Downloads `keys` into the local cache, eight at a time, for `readSync`. */
  async prefetch(keys: readonly string[]): Promise<void> {
    const unique = [...new Set(keys.map(checkKey))];
    await forEachLimit(unique, PREFETCH_CONCURRENCY, async (key) => {
      if (this.#cache.reuse(key)) return;
      // A blob whose bytes do not match its name was damaged in transit (S3 checks what it
      // stores): fetch it again; what is still wrong after that is reported when it is read.
      let bytes = await this.read(key);
      for (let again = 0; again < DAMAGED_REFETCHES && ReadCache.damaged(key, bytes); again++) {
        bytes = await this.read(key);
      }
      this.#cache.store(key, bytes);
    });
  }

  /**
   * Serves a key from what `prefetch` downloaded: its bytes, or undefined when it did not exist.
   * A key that was never prefetched throws FS_DATASTORE_NOT_PREFETCHED.
   */
  readSync(key: string): Buffer | undefined {
    return this.#cache.read(key, s3Url(this.location, key));
  }

  #params(key: string): { Bucket: string; Key: string } {
    return { Bucket: this.location.bucket, Key: objectKey(this.location, checkKey(key)) };
  }

  #folderPrefix(key: string): string {
    return key === ""
      ? this.location.prefix === ""
        ? ""
        : `${this.location.prefix}/`
      : `${objectKey(this.location, key)}/`;
  }

  /** Every object key below `prefix`, without a delimiter. */
  async #listAll(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({
          Bucket: this.location.bucket,
          Prefix: prefix,
          MaxKeys: this.#listPageSize,
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const object of page.Contents ?? []) keys.push(object.Key!);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  async #request<T>(operation: S3Operation, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw s3Failure(operation, s3Url(this.location, key), error);
    }
  }
}
