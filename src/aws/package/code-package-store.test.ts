import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { tempDir } from "../../../test/helpers/cli.js";
import { type S3TestServer, startS3Server } from "../../../test/helpers/s3-server.js";
import { LocalStorage } from "../../datastore/backends/local.js";
import { S3Storage } from "../../datastore/backends/s3.js";
import type { Storage } from "../../datastore/storage.js";
import { compileFlow } from "../../runtime/compile-flow.js";
import { buildCodePackage, type CodePackage } from "./code-package.js";
import { codePackageKey, fetchAndVerifyCodePackage, uploadCodePackage } from "./code-package-store.js";

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

let server: S3TestServer;
before(async () => {
  server = await startS3Server();
});
after(() => server.close());

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

describe("fetching code packages", () => {
  test("a verified package is extracted and its flow.mjs returned", async () => {
    // given
    const storage = new LocalStorage({ root: fresh() });
    const pkg = await smallPackage("fetched");
    const { key } = await uploadCodePackage(storage, pkg);
    // when
    const entry = await fetchAndVerifyCodePackage(storage, key, pkg.sha256, {
      into: path.join(fresh(), "code"),
    });
    // then
    assert.equal(path.basename(entry), "flow.mjs");
    assert.match(fs.readFileSync(entry, "utf8"), /fetched/);
    assert.ok(fs.existsSync(path.join(path.dirname(entry), "source/flow.ts")));
  });

  test("a package changed after upload is refused", async () => {
    // given
    const storage = new LocalStorage({ root: fresh() });
    const pkg = await smallPackage("original");
    const { key } = await uploadCodePackage(storage, pkg);
    const tampered = Buffer.from(pkg.bytes);
    tampered[tampered.length - 10]! ^= 0xff;
    await storage.write(key, [tampered]);
    const into = path.join(fresh(), "code");
    // when / then
    await assert.rejects(fetchAndVerifyCodePackage(storage, key, pkg.sha256, { into }), {
      code: "FS_CODE_PACKAGE_MISMATCH",
    });
    assert.equal(fs.existsSync(into), false, "nothing extracted");
  });

  test("a missing package is reported", async () => {
    const storage = new LocalStorage({ root: fresh() });
    const sha = "0".repeat(64);
    await assert.rejects(fetchAndVerifyCodePackage(storage, codePackageKey("HelloFlow", sha), sha), {
      code: "FS_CODE_PACKAGE_MISSING",
    });
  });

  test("a compiled example flow round-trips through S3 and still loads", async () => {
    // given: a real compile of an example, packaged with its inputs
    const outDir = fresh("flowship-compiled-");
    const compiled = await compileFlow({ file: "examples/parameter_flow.ts", outDir });
    const pkg = await buildCodePackage({
      flow: "ParameterFlow",
      flowFile: compiled.source,
      bundlePath: compiled.bundle,
      sourceRoot: process.cwd(),
      inputs: compiled.inputs,
    });
    const storage = new S3Storage({
      root: `s3://${server.bucket}/${randomUUID()}`,
      endpoint: server.endpoint,
    });
    // when
    const { key } = await uploadCodePackage(storage, pkg);
    const entry = await fetchAndVerifyCodePackage(storage, key, pkg.sha256, {
      into: path.join(fresh(), "code"),
    });
    // then
    assert.ok(fs.existsSync(path.join(path.dirname(entry), "source/examples/parameter_flow.ts")));
    const module = (await import(pathToFileURL(entry).href)) as { flowModule: { default: { name: string } } };
    assert.equal(module.flowModule.default.name, "ParameterFlow");
  });
});
