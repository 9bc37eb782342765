/**
 * Writes a gzipped tar whose bytes depend only on the files' paths and contents: entries in path
 * order, a fixed mtime, mode 0644, no owner, and a gzip header without timestamp or OS byte.
 * The same inputs therefore give the same sha256 on any machine running the same zlib.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import * as tar from "tar";

/** One file of an archive. */
export interface ArchiveFile {
  /** Relative, `/`-separated. */
  path: string;
  bytes: Buffer;
}

/** Every entry's mtime: 2020-01-01T00:00:00Z. Any fixed value works; this one is recognisable. */
export const ARCHIVE_MTIME = new Date(Date.UTC(2020, 0, 1));

// Offsets in the gzip header (RFC 1952): MTIME is bytes 4-7, OS is byte 9.
const GZIP_MTIME = 4;
const GZIP_OS = 9;
const GZIP_OS_UNKNOWN = 255;

/** Builds the archive in memory (files are staged in a temporary folder, then removed). */
export function createDeterministicTgz(files: readonly ArchiveFile[]): Buffer {
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-package-"));
  try {
    const root = path.join(stage, "root");
    const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    for (const file of sorted) {
      const target = path.join(root, file.path);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, file.bytes);
      // The umask differs between machines; the mode in the archive must not.
      fs.chmodSync(target, 0o644);
    }
    const tarFile = path.join(stage, "package.tar");
    tar.create(
      { cwd: root, file: tarFile, sync: true, portable: true, mtime: ARCHIVE_MTIME, noDirRecurse: true },
      sorted.map((f) => f.path),
    );
    return gzipWithoutTimestamp(fs.readFileSync(tarFile));
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}

function gzipWithoutTimestamp(bytes: Buffer): Buffer {
  const gz = zlib.gzipSync(bytes, { level: 9 });
  // Node writes MTIME 0 already; the OS byte depends on how zlib was built. Neither is covered
  // by the gzip CRC, so pinning them keeps the archive valid.
  gz.writeUInt32LE(0, GZIP_MTIME);
  gz[GZIP_OS] = GZIP_OS_UNKNOWN;
  return gz;
}
