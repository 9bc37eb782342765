import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { tempDir } from "../../test/helpers/cli.js";
import { createFileExclusive } from "./atomic-file.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));

describe("createFileExclusive", () => {
  test("creates once; a second create leaves the first content and no temporary file", () => {
    const dir = tempDir();
    const target = path.join(dir, "a/b/record.json");
    assert.equal(createFileExclusive(target, "first"), true);
    assert.equal(createFileExclusive(target, "second"), false);
    assert.equal(fs.readFileSync(target, "utf8"), "first");
    assert.deepEqual(fs.readdirSync(path.dirname(target)), ["record.json"]);
  });

  test("a reader in another process never sees a file empty or cut short", async () => {
    // given: a writer process creating 300 files of 256 KiB each
    const dir = tempDir();
    const size = 256 * 1024;
    const count = 300;
    const script = `
      import { createFileExclusive } from ${JSON.stringify(path.join(HERE, "atomic-file.ts"))};
      const body = "x".repeat(${size});
      for (let i = 0; i < ${count}; i++) createFileExclusive(${JSON.stringify(dir)} + "/f" + i, body);
    `;
    const writer = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      stdio: "inherit",
    });
    const exited = new Promise<number | null>((resolve) => writer.on("close", resolve));
    let done = false;
    void exited.then(() => {
      done = true;
    });

    // when: the files are read as soon as they appear, while the writer runs
    const seen = new Set<number>();
    const torn: string[] = [];
    while (!done || seen.size < count) {
      for (let i = 0; i < count; i++) {
        if (seen.has(i)) continue;
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(path.join(dir, `f${i}`));
        } catch {
          continue;
        }
        seen.add(i);
        if (bytes.length !== size) torn.push(`f${i}: ${bytes.length} bytes`);
      }
      if (done && seen.size < count) break;
      await new Promise((resolve) => setImmediate(resolve));
    }

    // then
    assert.equal(await exited, 0);
    assert.equal(seen.size, count);
    assert.deepEqual(torn, []);
  });
});
