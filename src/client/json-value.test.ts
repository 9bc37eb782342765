import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fromJsonValue, isTooLarge, MAX_REPEATED_VALUES, toJsonValue } from "./json-value.js";

describe("artifact values as JSON", () => {
  test("values JSON cannot hold round-trip through their tagged form", () => {
    // given
    const value = {
      set: new Set([1, "two"]),
      re: /a+b/gi,
      when: new Date(Date.UTC(2026, 0, 2)),
      big: new BigInt64Array([1n, -2n]),
      buffer: new Uint8Array([9, 8]).buffer,
      view: new DataView(new Uint8Array([7]).buffer),
      nested: new Map<unknown, unknown>([[{ k: 1 }, [undefined, Number.NEGATIVE_INFINITY]]]),
    };
    // when
    const json = JSON.parse(JSON.stringify(toJsonValue(value)));
    // then
    assert.deepStrictEqual(fromJsonValue(json), value);
    assert.deepEqual(json.big, { $type: "BigInt64Array", values: ["1", "-2"] });
    assert.deepEqual(json.re, { $type: "RegExp", source: "a+b", flags: "gi" });
  });

  test("errors keep name and message; cycles become a marker", () => {
    const error = new RangeError("too far");
    const decoded = fromJsonValue(toJsonValue(error)) as Error;
    assert.equal(decoded.name, "RangeError");
    assert.equal(decoded.message, "too far");
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assert.deepEqual(toJsonValue(cyclic), { a: 1, self: { $type: "Circular" } });
    const shared = { x: 1 };
    assert.deepEqual(toJsonValue([shared, shared]), [{ x: 1 }, { x: 1 }], "a shared value is not a cycle");
  });

  test("a value whose shared objects would be copied out past the budget is too large to show, at once", () => {
    // given: 40 levels of [a, a] (2^40 arrays written out), and a 100-byte buffer referenced 200 times
    let doubled: unknown[] = [];
    for (let i = 0; i < 40; i++) doubled = [doubled, doubled];
    const bytes = new Uint8Array(100);
    const buffers = Array.from({ length: 200 }, () => bytes);
    // when
    const shown = [
      toJsonValue(doubled, { maxRepeatedValues: 10_000 }),
      toJsonValue(buffers, { maxRepeatedValues: 10_000 }),
      toJsonValue(buffers, { maxRepeatedValues: 50_000 }),
    ];
    // then
    assert.deepEqual(shown[0], {
      $type: "TooLarge",
      message: "too large to show: its shared objects would be copied out as more than 10000 values",
    });
    assert.equal((shown[1] as { $type: string }).$type, "TooLarge");
    assert.equal((shown[2] as unknown[]).length, 200, "within a larger budget it is written out");
  });

  test("the holes of sparse arrays count against the budget: a 4-billion-long array is too large, at once", () => {
    // given: one element at the last index (26 bytes stored), and small holes that fit
    const huge: number[] = [];
    huge[2 ** 32 - 2] = 1;
    const few: number[] = [];
    few[3] = 1;
    // when
    const started = Date.now();
    const shown = [toJsonValue({ huge }), toJsonValue([few, few], { maxRepeatedValues: 6 })];
    // then
    assert.deepEqual(shown[0], {
      $type: "TooLarge",
      message: `too large to show: the holes of its sparse arrays would be written out as more than ${MAX_REPEATED_VALUES} values`,
    });
    assert.ok(Date.now() - started < 1000, "without walking the holes");
    const undef = { $type: "Undefined" };
    assert.deepEqual(shown[1], [
      [undef, undef, undef, 1],
      [undef, undef, undef, 1],
    ]);
    assert.equal(isTooLarge(toJsonValue([few, few, few], { maxRepeatedValues: 6 })), true);
  });

  test("plain JSON data is unchanged", () => {
    const plain = { a: [1, "b", null, true], c: { d: 2.5 } };
    assert.deepEqual(toJsonValue(plain), plain);
    assert.deepEqual(fromJsonValue(plain), plain);
  });
});
