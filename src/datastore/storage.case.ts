/**
 * The conformance suite every Storage backend must pass. A backend's test file calls
 * `storageConformance("name", makeStorage)`; each test gets a fresh, empty datastore.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Storage } from "./storage.js";

/** Opens a fresh, empty datastore for one test. */
export type MakeStorage = () => Storage | Promise<Storage>;

const MiB = 1024 * 1024;
const BAD_KEYS = ["", "../escape", "/absolute", "a//b", "a/../b", "a/./b", "a/", "trailing/.."];

/** Registers the conformance tests for one backend under `describe(name)`. */
export function storageConformance(name: string, makeStorage: MakeStorage): void {
  describe(`Storage conformance: ${name}`, () => {
    test("an absent key reads as undefined and does not exist", async () => {
      // given
      const storage = await makeStorage();
      // when / then
      assert.equal(await storage.read("Flow/nothing"), undefined);
      assert.equal(await storage.exists("Flow/nothing"), false);
    });

    test("readRange reads a slice and the whole size; past the end, nothing; absent, undefined", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("Flow/log", ["line 1\nline 2\n"]);
      // when / then
      const middle = await storage.readRange("Flow/log", 5, 4);
      assert.equal(middle?.bytes.toString(), "1\nli");
      assert.equal(middle?.size, 14);
      assert.equal((await storage.readRange("Flow/log", 7, 100))?.bytes.toString(), "line 2\n");
      assert.deepEqual(await storage.readRange("Flow/log", 14, 10), { bytes: Buffer.alloc(0), size: 14 });
      assert.equal(await storage.readRange("Flow/absent", 0, 10), undefined);
    });

    test("write stores the concatenation of mixed chunks", async () => {
      // given
      const storage = await makeStorage();
      const floats = new Float64Array([1.5, -2, 3]);
      const view = new Uint8Array(floats.buffer, 8, 8);
      // when
      await storage.write("Flow/mixed", ["text:", Buffer.from([0, 255]), view, "é"]);
      // then
      const expected = Buffer.concat([
        Buffer.from("text:"),
        Buffer.from([0, 255]),
        Buffer.from(view),
        Buffer.from("é"),
      ]);
      assert.deepEqual(await storage.read("Flow/mixed"), expected);
      assert.equal(await storage.exists("Flow/mixed"), true);
    });

    test("write replaces a longer object entirely", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("Flow/replace", ["a much longer first version"]);
      // when
      await storage.write("Flow/replace", ["short"]);
      // then
      assert.equal((await storage.read("Flow/replace"))?.toString(), "short");
    });

    test("a concurrent reader sees the old or the new object, never part of one", async () => {
      // given: a 1 MiB object, about to be replaced by a 24 MiB one written in three chunks
      const storage = await makeStorage();
      const before = Buffer.alloc(MiB, "a");
      const after = Buffer.alloc(24 * MiB, "b");
      await storage.write("Flow/big", [before]);
      // when
      let done = false;
      const writing = storage
        .write("Flow/big", [
          after.subarray(0, 5 * MiB),
          after.subarray(5 * MiB, 13 * MiB),
          after.subarray(13 * MiB),
        ])
        .finally(() => {
          done = true;
        });
      const seen: Buffer[] = [];
      while (!done) seen.push((await storage.read("Flow/big"))!);
      await writing;
      seen.push((await storage.read("Flow/big"))!);
      // then
      for (const bytes of seen) assert.ok(bytes.equals(before) || bytes.equals(after));
      assert.ok(seen.at(-1)!.equals(after));
    });

    test("a write that fails part-way leaves the previous object and no debris", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("Flow/run/kept", ["v1"]);
      function* failing(): Generator<string> {
        yield "v2-start";
        throw new Error("serializer broke");
      }
      // when
      await assert.rejects(storage.write("Flow/run/kept", failing()), /serializer broke/);
      // then
      assert.equal((await storage.read("Flow/run/kept"))?.toString(), "v1");
      assert.deepEqual(await storage.list("Flow/run"), ["kept"]);
    });

    test("create writes only when nothing is there", async () => {
      // given
      const storage = await makeStorage();
      // when
      const first = await storage.create("Flow/claim", "first");
      const second = await storage.create("Flow/claim", "second");
      // then
      assert.equal(first, true);
      assert.equal(second, false);
      assert.equal((await storage.read("Flow/claim"))?.toString(), "first");
    });

    test("create refuses to replace an object made by write", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("Flow/written", ["by write"]);
      // when / then
      assert.equal(await storage.create("Flow/written", "by create"), false);
      assert.equal((await storage.read("Flow/written"))?.toString(), "by write");
    });

    test("of concurrent creates exactly one wins, and its content stays", async () => {
      // given
      const storage = await makeStorage();
      const contenders = Array.from({ length: 8 }, (_, i) => `contender-${i}`);
      // when
      const results = await Promise.all(contenders.map((c) => storage.create("Flow/race", c)));
      // then
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await storage.read("Flow/race"))?.toString(), contenders[results.indexOf(true)]);
    });

    test("list names files and folders directly below a prefix, sorted", async () => {
      // given
      const storage = await makeStorage();
      for (const key of [
        "F/runs/1/run.json",
        "F/runs/10/run.json",
        "F/runs/2/steps/start/0/0.end.json",
        "F/latest_run",
        "F/runs-old/x",
        "G/y",
      ]) {
        await storage.write(key, ["x"]);
      }
      // when / then
      assert.deepEqual(await storage.list(""), ["F", "G"]);
      assert.deepEqual(await storage.list("F"), ["latest_run", "runs", "runs-old"]);
      assert.deepEqual(await storage.list("F/runs"), ["1", "10", "2"]);
      assert.deepEqual(await storage.list("F/runs/2/steps/start"), ["0"]);
    });

    test("list of a missing prefix or of a file is empty", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("F/file", ["x"]);
      // when / then
      assert.deepEqual(await storage.list("F/missing"), []);
      assert.deepEqual(await storage.list("F/file"), []);
      assert.deepEqual(await storage.list("Nothing"), []);
    });

    test("remove deletes a file, or a folder with everything below it", async () => {
      // given
      const storage = await makeStorage();
      for (const key of ["F/runs/1/a", "F/runs/1/steps/s/0/b", "F/runs/10/c", "F/single"])
        await storage.write(key, ["x"]);
      // when
      await storage.remove("F/runs/1");
      await storage.remove("F/single");
      await storage.remove("F/never-existed");
      // then
      assert.equal(await storage.exists("F/runs/1/a"), false);
      assert.equal(await storage.exists("F/runs/1/steps/s/0/b"), false);
      assert.equal(await storage.exists("F/single"), false);
      assert.deepEqual(await storage.list("F/runs"), ["10"]);
      assert.equal((await storage.read("F/runs/10/c"))?.toString(), "x");
    });

    test("readSync serves prefetched keys, and undefined for prefetched absent ones", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("F/data/ab/one", ["first"]);
      await storage.write("F/data/cd/two", [Buffer.from([1, 2, 3])]);
      // when
      await storage.prefetch(["F/data/ab/one", "F/data/cd/two", "F/data/ef/absent", "F/data/ab/one"]);
      // then
      assert.equal(storage.readSync("F/data/ab/one")?.toString(), "first");
      assert.deepEqual(storage.readSync("F/data/cd/two"), Buffer.from([1, 2, 3]));
      assert.equal(storage.readSync("F/data/ef/absent"), undefined);
    });

    test("readSync after a rewrite and a new prefetch returns the new content", async () => {
      // given
      const storage = await makeStorage();
      await storage.write("F/latest_run", ["1"]);
      await storage.prefetch(["F/latest_run"]);
      // when
      await storage.write("F/latest_run", ["2"]);
      await storage.prefetch(["F/latest_run"]);
      // then
      assert.equal(storage.readSync("F/latest_run")?.toString(), "2");
    });

    test("every operation refuses keys that could leave the datastore", async () => {
      // given
      const storage = await makeStorage();
      const refused = { code: "FS_DATASTORE_BAD_KEY" };
      for (const key of BAD_KEYS) {
        // when / then
        await assert.rejects(storage.read(key), refused, `read '${key}'`);
        await assert.rejects(storage.write(key, ["x"]), refused, `write '${key}'`);
        await assert.rejects(storage.create(key, "x"), refused, `create '${key}'`);
        await assert.rejects(storage.exists(key), refused, `exists '${key}'`);
        await assert.rejects(storage.remove(key), refused, `remove '${key}'`);
        assert.throws(() => storage.readSync(key), refused, `readSync '${key}'`);
        if (key !== "") await assert.rejects(storage.list(key), refused, `list '${key}'`);
      }
      assert.deepEqual(await storage.list(""), []);
    });
  });
}
