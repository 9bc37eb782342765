/**
 * What s3rver 3.7.1 gets wrong about S3, supplied in front of it so backends are tested against
 * S3's documented behaviour:
 * - it writes objects in place, so a GET during a PUT or a multipart completion can return a mix
 *   of old and new bytes; S3 shows the old object until the new one is complete. Requests that
 *   read or replace one key are serialised per key here.
 * - it ignores `If-None-Match: *` on PUT; S3 answers 412 when the object exists.
 * - its ListObjectsV2 with a delimiter misses common prefixes whose objects sit two or more
 *   levels down, and pages by objects only; ListObjectsV2 is answered here from s3rver's store.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel
 * @see https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html
 */
import type http from "node:http";

/** The parts of s3rver's FilesystemStore used here. */
export interface S3rverStore {
  existsObject(bucket: string, key: string): Promise<boolean>;
  getBucket(bucket: string): Promise<unknown>;
  listObjects(
    bucket: string,
    options: { prefix: string; maxKeys: number },
  ): Promise<{ objects: { key: string; size: number; metadata: Record<string, string> }[] }>;
}

export interface S3SemanticsOptions {
  store: S3rverStore;
  /** s3rver's own request handler. */
  next: http.RequestListener;
  /** Answer 412 to `If-None-Match: *` PUTs of existing keys. @default true */
  conditionalWrites?: boolean;
}

/** A request handler that adds S3's semantics in front of s3rver. */
export function withS3Semantics(options: S3SemanticsOptions): http.RequestListener {
  const locks = new Map<string, Promise<void>>();

  async function lock(name: string, res: http.ServerResponse): Promise<void> {
    const previous = locks.get(name) ?? Promise.resolve();
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const mine = previous.then(() => held);
    locks.set(name, mine);
    // Registered before waiting, so a client that gives up while queued still frees its turn.
    res.on("close", () => {
      release();
      if (locks.get(name) === mine) locks.delete(name);
    });
    await previous;
  }

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const [, bucket = "", ...rest] = url.pathname.split("/");
    const key = decodeURIComponent(rest.join("/"));
    if (key === "" && req.method === "GET" && url.searchParams.get("list-type") === "2") {
      await listObjectsV2(options.store, bucket, url.searchParams, res);
      return;
    }
    if (key !== "" && replacesOrReadsObject(req.method ?? "", url.searchParams)) {
      await lock(`${bucket}/${key}`, res);
      const conditional = req.method === "PUT" && req.headers["if-none-match"] === "*";
      if (
        conditional &&
        options.conditionalWrites !== false &&
        (await options.store.existsObject(bucket, key))
      ) {
        req.resume();
        req.on("end", () => sendS3Error(res, 412, "PreconditionFailed"));
        return;
      }
    }
    options.next(req, res);
  }

  return (req, res) => {
    route(req, res).catch((error: unknown) => sendS3Error(res, 500, "InternalError", String(error)));
  };
}

/** GET, HEAD, PUT and DELETE of an object, and the completion of a multipart upload. */
function replacesOrReadsObject(method: string, query: URLSearchParams): boolean {
  if (method === "POST") return query.has("uploadId");
  if (method === "PUT" || method === "DELETE") return !query.has("uploadId");
  return method === "GET" || method === "HEAD";
}

async function listObjectsV2(
  store: S3rverStore,
  bucket: string,
  query: URLSearchParams,
  res: http.ServerResponse,
): Promise<void> {
  if (!(await store.getBucket(bucket))) {
    sendS3Error(res, 404, "NoSuchBucket");
    return;
  }
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const maxKeys = Math.min(1000, Number(query.get("max-keys") ?? 1000));
  const token = query.get("continuation-token");
  const after = token ? Buffer.from(token, "base64url").toString() : (query.get("start-after") ?? "");
  const { objects } = await store.listObjects(bucket, { prefix, maxKeys: Number.POSITIVE_INFINITY });
  objects.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

  // Keys below one common prefix are adjacent once sorted, so one pass rolls them up.
  const entries: { name: string; size?: number; etag?: string }[] = [];
  for (const object of objects) {
    const cut = delimiter ? object.key.indexOf(delimiter, prefix.length) : -1;
    if (cut === -1) {
      entries.push({ name: object.key, size: object.size, etag: object.metadata.etag ?? "" });
    } else {
      const common = object.key.slice(0, cut + delimiter.length);
      if (entries.at(-1)?.name !== common) entries.push({ name: common });
    }
  }
  const remaining = entries.filter((e) => e.name > after);
  const page = remaining.slice(0, maxKeys);
  const truncated = remaining.length > page.length;
  const xml = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
    `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
    delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : "",
    `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${page.length}</KeyCount><IsTruncated>${truncated}</IsTruncated>`,
    truncated
      ? `<NextContinuationToken>${Buffer.from(page.at(-1)!.name).toString("base64url")}</NextContinuationToken>`
      : "",
    ...page.map((e) =>
      e.size === undefined
        ? `<CommonPrefixes><Prefix>${escapeXml(e.name)}</Prefix></CommonPrefixes>`
        : `<Contents><Key>${escapeXml(e.name)}</Key><Size>${e.size}</Size><ETag>${escapeXml(e.etag ?? "")}</ETag><StorageClass>STANDARD</StorageClass></Contents>`,
    ),
    "</ListBucketResult>",
  ].join("");
  res.writeHead(200, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(xml) });
  res.end(xml);
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Answers with an S3 error document. */
export function sendS3Error(res: http.ServerResponse, status: number, code: string, message = code): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  res.writeHead(status, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
