import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Writes a file so that readers see either nothing or the whole content: the bytes go to a
 * temporary file in the same folder, which is then renamed over the target (rename is atomic on
 * POSIX file systems). A crash leaves at most a `.tmp-*` file, which no reader looks at.
 */
export function writeFileAtomic(target: string, chunks: Iterable<NodeJS.ArrayBufferView | string>): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = fs.openSync(temporary, "w");
  try {
    for (const chunk of chunks) writeFully(fd, chunk);
  } catch (error) {
    fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
  fs.closeSync(fd);
  fs.renameSync(temporary, target);
}

// Node caps one write at 2 GiB and may write less than asked; large views go in slices.
const MAX_WRITE = 64 * 1024 * 1024;

function writeFully(fd: number, chunk: NodeJS.ArrayBufferView | string): void {
  const bytes =
    typeof chunk === "string"
      ? Buffer.from(chunk)
      : new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let offset = 0;
  while (offset < bytes.byteLength) {
    const length = Math.min(MAX_WRITE, bytes.byteLength - offset);
    offset += fs.writeSync(fd, bytes, offset, length);
  }
}

/** Creates a file only if it does not exist yet; returns false when it already did. */
export function createFileExclusive(target: string, content: string): boolean {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  try {
    fs.writeFileSync(target, content, { flag: "wx" });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
}
