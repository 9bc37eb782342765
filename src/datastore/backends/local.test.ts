import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { tempDir } from "../../../test/helpers/cli.js";
import { storageConformance } from "../storage.case.js";
import { LocalStorage } from "./local.js";

const base = tempDir("flowship-local-storage-");
storageConformance("local", () => new LocalStorage({ root: fs.mkdtempSync(path.join(base, "root-")) }));

test("reads refuse a link leading out of the root, in a folder already checked or not, and follow one inside", async () => {
  // given: a run folder holding a record, a link to a file outside, a link to one inside, and a
  // linked folder leading outside
  const root = fs.mkdtempSync(path.join(base, "links-"));
  const outside = fs.mkdtempSync(path.join(base, "outside-"));
  fs.writeFileSync(path.join(outside, "secret"), "secret");
  const folder = path.join(root, "F/runs/1");
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, "record"), "inside");
  fs.symlinkSync(path.join(outside, "secret"), path.join(folder, "out"));
  fs.symlinkSync("record", path.join(folder, "in"));
  fs.symlinkSync(outside, path.join(folder, "away"));
  const storage = new LocalStorage({ root });
  const refused = { code: "FS_DATASTORE_OUTSIDE_ROOT" };
  // when / then: before and after the folder is known (a read of its record, its listing)
  for (const round of ["cold", "checked"]) {
    assert.equal(await storage.readText("F/runs/1/record"), "inside", round);
    assert.deepEqual(await storage.list("F/runs/1"), ["away", "in", "out", "record"], round);
    await assert.rejects(storage.read("F/runs/1/out"), refused, round);
    await assert.rejects(storage.readText("F/runs/1/out"), refused, round);
    assert.throws(() => storage.readSync("F/runs/1/out"), refused, round);
    await assert.rejects(storage.readText("F/runs/1/away/secret"), refused, round);
    assert.throws(() => storage.readSync("F/runs/1/away/secret"), refused, round);
    assert.equal(await storage.readText("F/runs/1/in"), "inside", round);
    assert.equal(storage.readSync("F/runs/1/in")?.toString(), "inside", round);
    // exists and list answer from a checked folder with fewer calls: links still go the long way
    assert.equal(await storage.exists("F/runs/1/record"), true, round);
    assert.equal(await storage.exists("F/runs/1/missing"), false, round);
    assert.equal(await storage.exists("F/runs/1/in"), true, round);
    await assert.rejects(storage.exists("F/runs/1/out"), refused, round);
    await assert.rejects(storage.exists("F/runs/1/away/secret"), refused, round);
    await assert.rejects(storage.list("F/runs/1/away"), refused, round);
  }
});
