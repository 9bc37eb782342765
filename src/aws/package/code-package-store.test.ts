import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { tempDir } from "../../../test/helpers/cli.js";
import { LocalStorage } from "../../datastore/backends/local.js";
import type { Storage } from "../../datastore/storage.js";
import { buildCodePackage, type CodePackage } from "./code-package.js";
import { codePackageKey, uploadCodePackage } from "./code-package-store.js";

const scratch = tempDir("flowship-package-test-");
/** A new empty folder (one cleanup hook for the whole file). */
const fresh = (prefix = "dir-"): string => fs.mkdtempSync(path.join(scratch, prefix));

/** A Storage that counts the writes it passes on. */
function countingWrites(inner: Storage): { storage: Storage; writes: string[] } {
  const writes: string[] = [];
  const storage = new Proxy(inner, {
    get(target, property, receiver) {
      if (property === "write") {
        return (key: string, chunks: Iterable<NodeJS.ArrayBufferView | string>) => {
          writes.push(key);
          return target.write(key, chunks);
        };
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { storage, writes };
}

/** A package of a small hand-made bundle. */
async function smallPackage(marker: string): Promise<CodePackage> {
  const root = fresh("flowship-project-");
  fs.mkdirSync(path.join(root, "build"));
  fs.writeFileSync(path.join(root, "flow.ts"), `// ${marker}\n`);
  fs.writeFileSync(path.join(root, "build/x.mjs"), `export const marker = ${JSON.stringify(marker)};\n`);
  return buildCodePackage({
    flow: "HelloFlow",
    flowFile: path.join(root, "flow.ts"),
    bundlePath: path.join(root, "build/x.mjs"),
    sourceRoot: root,
    inputs: [path.join(root, "flow.ts")],
  });
}

describe("uploading code packages", () => {
  test("a package is stored by its hash, and the same code is not uploaded twice", async () => {
    // given
    const { storage, writes } = countingWrites(new LocalStorage({ root: fresh() }));
    const pkg = await smallPackage("v1");
    // when
    const first = await uploadCodePackage(storage, pkg);
    const second = await uploadCodePackage(storage, await smallPackage("v1"));
    // then
    assert.equal(first.key, `HelloFlow/code/${pkg.sha256}.tgz`);
    assert.deepEqual([first.uploaded, second.uploaded], [true, false]);
    assert.deepEqual(writes, [first.key]);
  });

  test("changed code is uploaded beside the old package", async () => {
    // given
    const { storage, writes } = countingWrites(new LocalStorage({ root: fresh() }));
    await uploadCodePackage(storage, await smallPackage("v1"));
    // when
    const changed = await uploadCodePackage(storage, await smallPackage("v2"));
    // then
    assert.equal(changed.uploaded, true);
    assert.equal(writes.length, 2);
    assert.equal((await storage.list("HelloFlow/code")).length, 2);
  });

  test("a malformed hash is refused", () => {
    assert.throws(() => codePackageKey("HelloFlow", "../../etc"), { code: "FS_CODE_PACKAGE_BAD_HASH" });
  });
});
