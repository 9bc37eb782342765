import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { FlowshipError } from "../../errors.js";
import { createFileExclusive, writeFileAtomic } from "../../util/atomic-file.js";
import { explainIoError, withIoErrors } from "../../util/io-error.js";
import { READ_PIECE_BYTES, readWholeFileSync } from "../../util/read-whole-file.js";
import { checkKey, type Storage } from "../storage.js";

/** The datastore in a folder of the local file system (`.flowship/` by default). */
export class LocalStorage implements Storage {
  readonly root: string;
  readonly description: string;

  constructor(options: { root: string }) {
    this.root = path.resolve(options.root);
    this.description = this.root;
  }

  localPath(key: string): string {
    return this.#inside(path.join(this.root, checkKey(key)), key);
  }

  /**
   * `file` itself, once it is certain not to lead out of the root: a symbolic link planted inside
   * the datastore (on the file or on a folder above it) could otherwise make `logs` read, or a run
   * append to, a file elsewhere. The file is checked every time (one lstat); a folder once it
   * exists, then remembered, since folders are where reads are hot.
   */
  #inside(file: string, key: string): string {
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(file);
    } catch {
      stat = undefined;
    }
    if (stat?.isSymbolicLink()) this.#checkReal(fs.realpathSync(file), key);
    const folder = path.dirname(file);
    if (this.#plainFolderInside(folder)) return file;
    let existing = folder;
    while (!fs.existsSync(existing) && existing !== this.root && existing !== path.dirname(existing)) {
      existing = path.dirname(existing);
    }
    if (!fs.existsSync(existing)) return file;
    this.#checkReal(fs.realpathSync(existing), key);
    if (existing === folder) this.#checkedFolders.add(folder);
    return file;
  }

  readonly #checkedFolders = new Set<string>();
  /** Folders listed once with their entries' types (see list). */
  readonly #typedListings = new Set<string>();

  /**
   * Whether `folder` is the root or a real folder (no link) in one that is, checked upwards and
   * remembered: one lstat per new folder instead of realpathSync's one per path component, which
   * over a run's 10,000 task folders was most of the time `flowship ui` took to read the run.
   * False for a link or a folder not there yet, which the caller checks the long way.
   */
  #plainFolderInside(folder: string): boolean {
    if (folder === this.root || this.#checkedFolders.has(folder)) return true;
    const parent = path.dirname(folder);
    const below = parent === this.root || parent.startsWith(`${this.root}${path.sep}`);
    if (!below || !this.#plainFolderInside(parent)) return false;
    try {
      const stat = fs.lstatSync(folder);
      if (!stat.isDirectory()) return false;
    } catch {
      return false;
    }
    this.#checkedFolders.add(folder);
    return true;
  }
  #root?: string;

  #checkReal(real: string, key: string): void {
    this.#root ??= fs.realpathSync(this.root);
    if (real !== this.#root && !real.startsWith(`${this.#root}${path.sep}`)) {
      throw new FlowshipError(
        "FS_DATASTORE_OUTSIDE_ROOT",
        `'${key}' in ${this.description} leads outside the datastore, to '${real}' (a symbolic link); flowship does not follow links out of its root. Remove the link.`,
      );
    }
  }

  async read(key: string): Promise<Buffer | undefined> {
    return this.readSync(key);
  }

  async readRange(
    key: string,
    start: number,
    length: number,
  ): Promise<{ bytes: Buffer; size: number } | undefined> {
    const file = this.localPath(key);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(file, "r");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw explainIoError(error, "read", file);
    }
    try {
      const size = (await handle.stat()).size;
      const bytes = Buffer.alloc(Math.max(0, Math.min(length, size - start)));
      let read = 0;
      while (read < bytes.length) {
        const { bytesRead } = await handle.read(bytes, read, bytes.length - read, start + read);
        if (bytesRead === 0) break;
        read += bytesRead;
      }
      return { bytes: bytes.subarray(0, read), size };
    } finally {
      await handle.close();
    }
  }

  async prefetch(): Promise<void> {}

  readSync(key: string): Buffer | undefined {
    const file = this.#fileInCheckedFolder(key);
    if (file) {
      try {
        return readWholeFileSync(file, READ_PIECE_BYTES, READ_NO_FOLLOW);
      } catch (error) {
        if (!isLink(error, file)) return undefined;
      }
    }
    return this.#readInside(key);
  }

  /** A small object (a record) as text: read in one call, with no buffer of its own to collect. */
  async readText(key: string): Promise<string | undefined> {
    const file = this.#fileInCheckedFolder(key);
    if (file) {
      try {
        // Node takes open(2)'s numeric flags here too; its types name only the string ones.
        return fs.readFileSync(file, { encoding: "utf8", flag: READ_NO_FOLLOW as unknown as string });
      } catch (error) {
        if (!isLink(error, file)) return undefined;
      }
    }
    return this.#readInside(key)?.toString("utf8");
  }

  /**
   * `key`'s file when its folder is known to be inside, to be opened refusing a link (ELOOP):
   * that saves #inside's lstat of every file read; a link is then checked, and followed, the long
   * way (#readInside). Undefined where the long way is the only one.
   */
  #fileInCheckedFolder(key: string): string | undefined {
    const file = path.join(this.root, checkKey(key));
    return READ_NO_FOLLOW !== undefined && this.#plainFolderInside(path.dirname(file)) ? file : undefined;
  }

  #readInside(key: string): Buffer | undefined {
    const file = this.localPath(key);
    try {
      // In pieces: readFileSync refuses 2 GiB and more, which an artifact may be.
      return readWholeFileSync(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw explainIoError(error, "read", file);
    }
  }

  async write(key: string, chunks: Iterable<NodeJS.ArrayBufferView | string>): Promise<void> {
    const file = this.localPath(key);
    withIoErrors("write", file, () => writeFileAtomic(file, chunks));
  }

  async writeThenName(
    folder: string,
    chunks: readonly NodeJS.ArrayBufferView[],
    observe: (piece: Uint8Array) => void,
    keyOf: () => string,
  ): Promise<string> {
    const dir = this.localPath(folder);
    fs.mkdirSync(dir, { recursive: true });
    const temporary = path.join(dir, `unnamed.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
    const file = await fs.promises.open(temporary, "w");
    try {
      for (const chunk of chunks) {
        const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        for (let offset = 0; offset < bytes.byteLength; offset += PIECE) {
          const piece = bytes.subarray(offset, offset + PIECE);
          // The write runs on libuv's thread pool while this thread hashes the same piece.
          const writing = writeAll(file, piece);
          observe(piece);
          await writing;
        }
      }
      await file.close();
      const key = keyOf();
      const target = this.localPath(key);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      if (fs.existsSync(target)) fs.rmSync(temporary);
      else fs.renameSync(temporary, target);
      return key;
    } catch (error) {
      await file.close().catch(() => {});
      fs.rmSync(temporary, { force: true });
      throw explainIoError(error, "write", temporary);
    }
  }

  async create(key: string, content: string): Promise<boolean> {
    const file = this.localPath(key);
    return withIoErrors("write", file, () => createFileExclusive(file, content));
  }

  async exists(key: string): Promise<boolean> {
    const file = path.join(this.root, checkKey(key));
    // In a folder known to be inside, one lstat answers (a link is checked the long way below):
    // the Client API asks this of a latest-run pointer on every Flow.get.
    if (this.#plainFolderInside(path.dirname(file))) {
      try {
        if (!fs.lstatSync(file).isSymbolicLink()) return true;
      } catch {
        return false;
      }
    }
    return fs.existsSync(this.localPath(key));
  }

  async list(prefix: string): Promise<string[]> {
    try {
      // A folder already known to be a real one inside the root needs no lstat of its own.
      const joined = prefix === "" ? this.root : path.join(this.root, checkKey(prefix));
      const folder =
        joined === this.root || this.#plainFolderInside(joined) ? joined : this.localPath(prefix);
      let names: string[];
      if (!this.#typedListings.has(folder) && this.#plainFolderInside(folder)) {
        // The first listing tells links from folders: its folders need no lstat of their own when
        // read (a run's 10,000 task folders, listed by their step). Later ones (a run polled every
        // second) are plain: a folder new since is checked by its lstat.
        const entries = fs.readdirSync(folder, { withFileTypes: true });
        for (const entry of entries)
          if (entry.isDirectory()) this.#checkedFolders.add(path.join(folder, entry.name));
        this.#typedListings.add(folder);
        names = entries.map((entry) => entry.name);
      } else {
        names = fs.readdirSync(folder);
      }
      return names.filter((name) => !name.includes(".tmp-")).sort();
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === "ENOENT" ||
        (error as NodeJS.ErrnoException).code === "ENOTDIR"
      )
        return [];
      throw error;
    }
  }

  async sweepTemporaries(prefix: string, olderThanMs: number): Promise<number> {
    const folder = this.localPath(prefix);
    let swept = 0;
    for (const name of fs.existsSync(folder) ? fs.readdirSync(folder) : []) {
      if (!name.includes(".tmp-")) continue;
      const file = path.join(folder, name);
      try {
        if (Date.now() - fs.statSync(file).mtimeMs < olderThanMs) continue;
        fs.rmSync(file, { force: true });
        swept++;
      } catch {
        // Renamed or removed meanwhile by its writer: nothing to sweep.
      }
    }
    return swept;
  }

  async remove(key: string): Promise<void> {
    fs.rmSync(this.localPath(key), { recursive: true, force: true });
  }
}

/** open(2)'s flags for a read that refuses a link as the last component; undefined where there is no such flag (Windows). */
const READ_NO_FOLLOW: number | undefined =
  fs.constants.O_NOFOLLOW === undefined ? undefined : fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;

/** False when the read found no file; true when it met a link (to read the long way); else throws. */
function isLink(error: unknown, file: string): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "ENOENT") return false;
  if (code === "ELOOP") return true;
  throw explainIoError(error, "read", file);
}

// Pieces small enough that the last one's hashing, which follows its write, costs little.
const PIECE = 8 * 2 ** 20;

async function writeAll(file: fs.promises.FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await file.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}
