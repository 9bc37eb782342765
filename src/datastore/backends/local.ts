import fs from "node:fs";
import path from "node:path";
import { createFileExclusive, writeFileAtomic } from "../../util/atomic-file.js";
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
    return path.join(this.root, checkKey(key));
  }

  async read(key: string): Promise<Buffer | undefined> {
    return this.readSync(key);
  }

  async prefetch(): Promise<void> {}

  readSync(key: string): Buffer | undefined {
    try {
      return fs.readFileSync(this.localPath(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      throw error;
    }
  }

  async write(key: string, chunks: Iterable<NodeJS.ArrayBufferView | string>): Promise<void> {
    writeFileAtomic(this.localPath(key), chunks);
  }

  async create(key: string, content: string): Promise<boolean> {
    return createFileExclusive(this.localPath(key), content);
  }

  async exists(key: string): Promise<boolean> {
    return fs.existsSync(this.localPath(key));
  }

  async list(prefix: string): Promise<string[]> {
    try {
      return fs
        .readdirSync(prefix === "" ? this.root : this.localPath(prefix))
        .filter((name) => !name.includes(".tmp-"))
        .sort();
    } catch (error) {
      if (
        (error as NodeJS.ErrnoException).code === "ENOENT" ||
        (error as NodeJS.ErrnoException).code === "ENOTDIR"
      )
        return [];
      throw error;
    }
  }

  async remove(key: string): Promise<void> {
    fs.rmSync(this.localPath(key), { recursive: true, force: true });
  }
}
