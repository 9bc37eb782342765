/**
 * Bytes in and out of S3 requests without extra copies.
 */

/** A view on the chunk's memory (strings are encoded). */
export function toBuffer(chunk: NodeJS.ArrayBufferView | string): Buffer {
  return typeof chunk === "string"
    ? Buffer.from(chunk)
    : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Reads a response body into one buffer, allocated once when the length is known. */
export async function readBody(body: AsyncIterable<Uint8Array>, length: number | undefined): Promise<Buffer> {
  if (length === undefined) {
    const parts: Buffer[] = [];
    for await (const part of body) parts.push(Buffer.from(part));
    return Buffer.concat(parts);
  }
  const out = Buffer.allocUnsafe(length);
  let offset = 0;
  for await (const part of body) {
    if (offset + part.length > length) throw new Error(`response body longer than ${length} bytes`);
    out.set(part, offset);
    offset += part.length;
  }
  if (offset !== length) {
    throw Object.assign(new Error(`response body ended after ${offset} of ${length} bytes`), {
      code: "ECONNRESET",
    });
  }
  return out;
}
