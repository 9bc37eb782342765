/**
 * Reads a whole file into one buffer, in pieces. `fs.readFileSync` refuses files of 2 GiB and more
 * (ERR_FS_FILE_TOO_LARGE), far below what a Buffer may hold (4 GiB on Node 20, more later); an
 * artifact that size could be stored but never read back. Pieces of at most 1 GiB each stay
 * under the 2 GiB one read(2) may return.
 */
import { constants } from "node:buffer";
import fs from "node:fs";

/** The most bytes one read asks for. */
export const READ_PIECE_BYTES = 2 ** 30;

/** The largest file a buffer can hold, and so the largest object the datastore can read back. */
export const MAX_READABLE_BYTES = constants.MAX_LENGTH;

export class FileTooLargeError extends RangeError {
  readonly code = "ERR_FS_FILE_TOO_LARGE";
}

/**
 * The file's bytes, in a buffer of their own (never a view into Node's shared pool). A file that
 * shrinks while it is read gives what was there; `flags` are open(2)'s (a reader that refuses a
 * link adds O_NOFOLLOW); `pieceBytes` is for tests.
 */
export function readWholeFileSync(
  file: string,
  pieceBytes = READ_PIECE_BYTES,
  flags: number = fs.constants.O_RDONLY,
): Buffer {
  const fd = fs.openSync(file, flags);
  try {
    const size = fs.fstatSync(fd).size;
    if (size > MAX_READABLE_BYTES) {
      throw new FileTooLargeError(
        `File size (${size}) is greater than the ${MAX_READABLE_BYTES} bytes a buffer can hold`,
      );
    }
    const bytes = Buffer.allocUnsafeSlow(size);
    let offset = 0;
    while (offset < size) {
      const read = fs.readSync(fd, bytes, offset, Math.min(pieceBytes, size - offset), offset);
      if (read === 0) break;
      offset += read;
    }
    return offset === size ? bytes : bytes.subarray(0, offset);
  } finally {
    fs.closeSync(fd);
  }
}
