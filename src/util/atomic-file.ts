import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

/**
 * Writes a file so that readers see either nothing or the whole content: the bytes go to a
 * temporary file in the same folder, which is then renamed over the target (rename is atomic on
 * POSIX file systems). A crash leaves at most a `.tmp-*` file, which no reader looks at.
 */
export function writeFileAtomic(
  target: string,
  chunks: Iterable<NodeJS.ArrayBufferView | string>,
  options: { mode?: number } = {},
): void {
  makeFolder(path.dirname(target), options.mode ? dirMode(options.mode) : undefined);
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const fd = fs.openSync(temporary, "w", options.mode ?? 0o666);
  let open = true;
  try {
    for (const chunk of chunks) writeFully(fd, chunk);
    open = false;
    fs.closeSync(fd);
    fs.renameSync(temporary, target);
  } catch (error) {
    // A full disk fails the write, the close or the rename: no temporary file stays behind.
    if (open) fs.closeSync(fd);
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * `mkdir -p`. Node reports ENOENT when a folder cannot be made under a read-only (or otherwise
 * unwritable) parent; the first missing folder is then made alone, to throw the real reason.
 */
export function makeFolder(folder: string, mode?: number): void {
  try {
    fs.mkdirSync(folder, { recursive: true, ...(mode ? { mode } : {}) });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    let missing = folder;
    while (!fs.existsSync(path.dirname(missing)) && path.dirname(missing) !== missing)
      missing = path.dirname(missing);
    fs.mkdirSync(missing);
    throw error;
  }
}

/** The folder mode that goes with a file mode: whoever may read a file may list its folder. */
function dirMode(fileMode: number): number {
  return fileMode | ((fileMode & 0o444) >> 2);
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

/**
 * Creates a file only if it does not exist yet; returns false when it already did. The content is
 * written to a temporary file first and hard-linked into place: link(2) fails when the target
 * exists and, like rename, publishes the whole file at once, so a reader (or a crash) never meets
 * an empty or half-written target the way `open(O_EXCL)` followed by `write` would leave one.
 */
export function createFileExclusive(target: string, content: string): boolean {
  makeFolder(path.dirname(target));
  const temporary = `${target}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    // Inside the try: a write that fails half-way (a full disk) leaves no temporary file.
    fs.writeFileSync(temporary, content);
    fs.linkSync(temporary, target);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}
