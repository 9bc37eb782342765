import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { decodeArtifact, encodeArtifact, MAX_ARTIFACT_NESTING } from "./serializer.js";

/** `levels` objects, each the only property of the one around it. */
function nested(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = { x: value };
  return value;
}

function roundTrip(value: unknown): unknown {
  const encoded = encodeArtifact("x", "step", value);
  return decodeArtifact(
    encoded.encoding,
    Buffer.concat(encoded.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))),
  );
}

describe("artifact serialization", () => {
  test("structured-clone values round-trip", () => {
    const value = {
      map: new Map<unknown, unknown>([
        ["a", 1],
        [2, { b: [3n] }],
      ]),
      set: new Set(["x", "y"]),
      date: new Date("2026-01-02T03:04:05Z"),
      big: 12345678901234567890n,
      typed: new Float32Array([1.5, 2.5]),
      nested: { undef: undefined, nul: null, list: [1, "two", [3]] },
      regex: /ab+c/gi,
    };
    assert.deepEqual(roundTrip(value), value);
    const back = roundTrip({ u: undefined, n: null }) as Record<string, unknown>;
    assert.equal("u" in back && back.u === undefined, true);
    assert.equal(back.n, null);
  });

  test("a top-level typed array is stored as raw bytes without a copy", () => {
    const array = new Float64Array([1, 2, 3.5]);
    const encoded = encodeArtifact("a", "s", array);
    assert.equal(encoded.encoding, "raw:Float64Array");
    assert.equal(encoded.chunks[0]!.buffer, array.buffer, "the stored view shares the array's memory");
    assert.deepEqual(roundTrip(array), array);
    assert.deepEqual(roundTrip(new BigInt64Array([1n, -2n])), new BigInt64Array([1n, -2n]));
  });

  test("a function is refused, naming the artifact, the step and where it sits", () => {
    assert.throws(
      () => encodeArtifact("model", "train", { weights: [1], predict: () => 1 }),
      (error: Error & { code?: string }) =>
        error.code === "FS_ARTIFACT_UNSTORABLE" &&
        error.message === "Cannot store artifact 'model' of step 'train': model.predict is a function.",
    );
  });

  test("a class instance is refused", () => {
    class Model {
      predict() {
        return 1;
      }
    }
    assert.throws(
      () => encodeArtifact("models", "train", [new Model()]),
      /models\[0\] is an instance of class Model/,
    );
  });

  test("an iterator or an instance of an unnamed class is refused naming what it is", () => {
    function* items() {
      yield 1;
    }
    assert.throws(
      () => encodeArtifact("items", "start", items()),
      /items is an iterator \(Generator\), which can be read only once; store an array of its items instead \(\[\.\.\.items\]\)/,
    );
    assert.throws(
      () => encodeArtifact("entries", "start", new Map().entries()),
      /entries is an iterator \(Map Iterator\)/,
    );
    assert.throws(
      () => encodeArtifact("x", "start", new (class {})()),
      /x is an instance of an unnamed class; store plain data/,
    );
  });

  test("a value nested deeper than can be read back is refused when stored, in one line", () => {
    // the deepest allowed value reads back whole
    assert.deepEqual(roundTrip(nested(MAX_ARTIFACT_NESTING)), nested(MAX_ARTIFACT_NESTING));
    // one level more, or fifty thousand (which v8.serialize itself cannot take), is refused
    for (const levels of [MAX_ARTIFACT_NESTING + 1, 50_000]) {
      assert.throws(
        () => encodeArtifact("deep", "start", nested(levels)),
        (error: Error & { code?: string }) => {
          assert.equal(error.code, "FS_ARTIFACT_UNSTORABLE");
          assert.match(
            error.message,
            /^Cannot store artifact 'deep' of step 'start': deep\.x\.x\.x\.x\.x\.x….x\.x\.x is nested 1,000 levels deep, more than an artifact may be and still be read back; flatten it \(or store it as a JSON string\)\.$/,
          );
          return true;
        },
      );
    }
  });

  test("a sparse array is checked by its elements, not its length: stored in milliseconds, still refused when unstorable", () => {
    // given: a length of over four billion, three elements, one of them nested
    const sparse: unknown[] = [];
    sparse[2 ** 32 - 2] = "last";
    sparse[2 ** 31] = { deep: nested(3) };
    sparse[0] = 1;
    // when
    const started = performance.now();
    const back = roundTrip(sparse) as unknown[];
    // then: walking every hole took minutes
    assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
    assert.equal(back.length, 2 ** 32 - 1);
    assert.deepEqual(Object.keys(back), ["0", String(2 ** 31), String(2 ** 32 - 2)]);
    assert.deepEqual(back[2 ** 31], { deep: nested(3) });
    // a function far out in a sparse array, or nested too deep there, is found and named
    const unstorable: unknown[] = [];
    unstorable[2 ** 31] = { fn: () => 1 };
    assert.throws(() => encodeArtifact("s", "start", unstorable), /s\[2147483648\]\.fn is a function/);
    unstorable[2 ** 31] = nested(MAX_ARTIFACT_NESTING + 1);
    assert.throws(
      () => encodeArtifact("s", "start", unstorable),
      /s\[2147483648\]\.x\.x.* is nested 1,000 levels deep/,
    );
  });

  test("a sparse array whose holes are broken up is still checked by its elements", () => {
    // given: a length of 2^27 with an element every 65,536 indices, the last one a function
    const spread: unknown[] = [];
    for (let i = 0; i < 2 ** 27; i += 65_536) spread[i] = { at: i };
    spread[2 ** 27 - 1] = { fn: () => 1 };
    // when
    const started = performance.now();
    assert.throws(() => encodeArtifact("s", "start", spread), /s\[134217727\]\.fn is a function/);
    spread[2 ** 27 - 1] = 1;
    const encoded = encodeArtifact("s", "start", spread);
    // then: walking every index took half a minute
    assert.ok(performance.now() - started < 2000, `took ${Math.round(performance.now() - started)} ms`);
    assert.ok(encoded.chunks.length > 0);
  });

  test("identical values encode to identical bytes", () => {
    const a = encodeArtifact("a", "s", { k: [1, 2, 3] });
    const b = encodeArtifact("b", "t", { k: [1, 2, 3] });
    assert.deepEqual(Buffer.from(a.chunks[0]!.buffer), Buffer.from(b.chunks[0]!.buffer));
  });

  test("a Buffer comes back a Buffer, and small typed arrays own their memory", () => {
    // given: artifacts read back as small files are (views into Node's shared 8 KiB pool)
    const pooled = (value: unknown) => {
      const encoded = encodeArtifact("x", "start", value);
      const bytes = Buffer.from(
        Buffer.concat(encoded.chunks.map((c) => new Uint8Array(c.buffer, c.byteOffset, c.byteLength))),
      );
      assert.notEqual(bytes.buffer.byteLength, bytes.byteLength, "the read is a view into the pool");
      return decodeArtifact(encoded.encoding, bytes);
    };
    // when / then
    const text = pooled(Buffer.from("hello")) as Buffer;
    assert.ok(Buffer.isBuffer(text));
    assert.equal(text.toString(), "hello");
    const floats = pooled(new Float64Array([0.5, -1.25])) as Float64Array;
    assert.deepEqual([...floats], [0.5, -1.25]);
    assert.equal(floats.buffer.byteLength, floats.byteLength, "a view on the shared pool");
    const small = pooled(new Uint8Array([1, 2, 3])) as Uint8Array;
    assert.equal(small.buffer.byteLength, 3);
  });
});
