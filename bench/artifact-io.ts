/**
 * Child process of benchmark 3: stores and loads one artifact through flowship's content store,
 * or writes and reads the same bytes with plain fs. Prints one JSON line of timings.
 * Usage: node --import tsx bench/artifact-io.ts <flowship|raw> <typed|nested> <MB> <dir>
 */
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { LocalStorage } from "../src/datastore/backends/local.js";
import { ContentStore } from "../src/datastore/content-store.js";
import { encodeArtifact } from "../src/datastore/serializer.js";

const [mode, kind, mbText, dir] = process.argv.slice(2) as [string, string, string, string];
const megabytes = Number(mbText);

function makeValue(): unknown {
  if (kind === "typed") return new Float64Array((megabytes * 2 ** 20) / 8).fill(1.5);
  // Nested records of about 100 bytes serialized each.
  const count = Math.round((megabytes * 2 ** 20) / 100);
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    name: `item-${i}`,
    tags: ["a", "b"],
    score: i * 0.5,
  }));
}

const value = makeValue();
const now = () => performance.now();
let result: Record<string, number>;
if (mode === "raw") {
  // A nested object has no bytes until it is serialized, so its baseline pays for v8.serialize
  // (and v8.deserialize on load): the least any program does to put it in a file and back.
  const file = path.join(dir, "raw.bin");
  const t0 = now();
  const bytes =
    value instanceof Float64Array ? new Uint8Array(value.buffer) : new Uint8Array(v8.serialize(value));
  fs.writeFileSync(file, bytes);
  const t1 = now();
  const back = fs.readFileSync(file);
  const t2 = now();
  if (kind !== "typed") v8.deserialize(back);
  const t3 = now();
  result = { bytes: bytes.byteLength, storeMs: t1 - t0, loadMs: t2 - t1 + (t3 - t2) };
} else {
  const store = new ContentStore({ storage: new LocalStorage({ root: dir }), flow: "Bench" });
  const t0 = now();
  const ref = await store.put(encodeArtifact("value", "bench", value));
  const t1 = now();
  const again = await store.put(encodeArtifact("value", "bench", value));
  const t2 = now();
  store.get(again, "value");
  const t3 = now();
  result = { bytes: ref.size, storeMs: t1 - t0, secondStoreMs: t2 - t1, loadMs: t3 - t2 };
}
result.peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify(result)}\n`);
