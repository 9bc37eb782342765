/**
 * Streams one large object to S3 as a multipart upload. Parts are cut from the caller's buffers
 * (zero-copy where a part lies inside one buffer), a few at a time, so a 1 GB artifact is never
 * held twice. S3 makes the object visible only at CompleteMultipartUpload, and a failed upload is
 * aborted so its parts do not linger.
 *
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpuoverview.html
 */
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  type S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";

/** S3 requires every part but the last to be at least 5 MiB, and allows 10,000 parts. */
const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PARTS = 10_000;

/** One multipart upload. */
export interface MultipartUploadOptions {
  client: S3Client;
  bucket: string;
  key: string;
  /** The object's bytes, in order. */
  buffers: readonly Buffer[];
  size: number;
  /** @default 8 MiB, grown so the object fits in 10,000 parts */
  partSize?: number;
  /** Parts in flight at once. @default 4 */
  concurrency?: number;
}

/** The size of each part for an object of `size` bytes. */
export function partSizeFor(size: number, preferred = 8 * 1024 * 1024): number {
  return Math.max(MIN_PART_SIZE, preferred, Math.ceil(size / MAX_PARTS));
}

/** Yields the object in parts of `partSize` bytes (the last may be shorter). */
export function* cutParts(buffers: readonly Buffer[], partSize: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let pendingSize = 0;
  for (const buffer of buffers) {
    let offset = 0;
    while (offset < buffer.length) {
      const take = Math.min(partSize - pendingSize, buffer.length - offset);
      pending.push(buffer.subarray(offset, offset + take));
      pendingSize += take;
      offset += take;
      if (pendingSize === partSize) {
        yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
        pending = [];
        pendingSize = 0;
      }
    }
  }
  if (pendingSize > 0) yield pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingSize);
}

/** Uploads the object; on any failure aborts the upload and rethrows the original error. */
export async function uploadMultipart(options: MultipartUploadOptions): Promise<void> {
  const { client, bucket, key } = options;
  const created = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
  const uploadId = created.UploadId!;
  try {
    const parts = await uploadParts(options, uploadId);
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    // Best effort: some S3-compatible stores (s3rver) do not implement abort. The parts are never
    // visible as an object either way, and a bucket lifecycle rule can reclaim them.
    await client
      .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }))
      .catch(() => undefined);
    throw error;
  }
}

async function uploadParts(options: MultipartUploadOptions, uploadId: string): Promise<CompletedPart[]> {
  const parts = cutParts(options.buffers, partSizeFor(options.size, options.partSize));
  const completed: CompletedPart[] = [];
  let partNumber = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    // The generator is synchronous, so workers never take the same part.
    for (let next = parts.next(); !next.done && !failed; next = parts.next()) {
      const number = ++partNumber;
      try {
        const result = await options.client.send(
          new UploadPartCommand({
            Bucket: options.bucket,
            Key: options.key,
            UploadId: uploadId,
            PartNumber: number,
            Body: next.value,
            ContentLength: next.value.length,
          }),
        );
        completed.push({ PartNumber: number, ETag: result.ETag! });
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: options.concurrency ?? 4 }, worker);
  const results = await Promise.allSettled(workers);
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (rejected) throw rejected.reason;
  return completed.sort((a, b) => a.PartNumber! - b.PartNumber!);
}
