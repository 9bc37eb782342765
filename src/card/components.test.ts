// Card components are checked where the step builds them: tables from records or arrays, images
// sniffed from their bytes, progress bars, and hand-made objects refused with FS_CARD_BAD_COMPONENT.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deflateSync } from "node:zlib";
import { chart, componentData, image, markdown, progress, table } from "./components.js";

const bad = (code: string) => (e: Error & { code?: string }) => e.code === code;

/** The smallest PNG: one red pixel. */
export function onePixelPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    let crc = ~0;
    for (const byte of body) {
      crc ^= byte;
      for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(~crc >>> 0);
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

describe("card components", () => {
  test("tables from records (columns in order of appearance) and from arrays with columns", () => {
    const when = new Date("2024-05-01T00:00:00Z");
    assert.deepEqual(
      table([
        { a: 1, b: "x" },
        { b: null, c: { deep: true } },
        { a: when, c: 10n },
      ]),
      {
        type: "table",
        columns: ["a", "b", "c"],
        rows: [
          [1, "x", null],
          [null, null, '{"deep":true}'],
          ["2024-05-01T00:00:00.000Z", null, "10"],
        ],
      },
    );
    assert.deepEqual(table([[1, 2], [3]], { columns: ["x", "y"] }).rows, [
      [1, 2],
      [3, null],
    ]);
    assert.throws(() => table([{ a: 1 }, [1]] as never), bad("FS_CARD_BAD_COMPONENT"));
  });

  test("tables refuse arrays without columns, rows longer than their columns and columns no record has", () => {
    const refused = (make: () => unknown, message: string) =>
      assert.throws(make, (e: Error & { code?: string }) => {
        assert.equal(e.code, "FS_CARD_BAD_COMPONENT");
        assert.equal(e.message, message);
        return true;
      });
    refused(
      () => table([[1, 2]]),
      'table() takes rows given as arrays with their column names: table(rows, { columns: ["epoch", "loss"] }).',
    );
    refused(
      () => table([[1], [1, 2, 3]], { columns: ["x", "y"] }),
      "table() row 1 has 3 values, more than its 2 columns ('x', 'y').",
    );
    refused(
      () => table([{ epoch: 1, loss: 0.5 }], { columns: ["epoch", "los"] }),
      "table() column 'los' is in no record; the records' keys are 'epoch', 'loss'.",
    );
    assert.deepEqual(table([{ b: 1, a: 2 }], { columns: ["a"] }).rows, [[2]], "columns pick and order");
  });

  test("images: PNG bytes and SVG markup are sniffed; other bytes are refused", () => {
    const png = image(onePixelPng(), { alt: "dot" });
    assert.equal(png.mediaType, "image/png");
    assert.deepEqual(Buffer.from(png.data, "base64"), onePixelPng());
    assert.equal(
      image('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>').mediaType,
      "image/svg+xml",
    );
    assert.throws(() => image(Buffer.from("GIF? no, plain text")), bad("FS_CARD_BAD_COMPONENT"));
    assert.throws(() => image("<html><script></script></html>"), bad("FS_CARD_BAD_COMPONENT"));
  });

  test("a progress bar's update shows in its stored form; bad values are refused", () => {
    const bar = progress(0, 10, "batches");
    bar.update(4);
    assert.deepEqual(componentData(bar), { type: "progress", value: 4, max: 10, label: "batches" });
    assert.throws(() => progress(1, 0), bad("FS_CARD_BAD_COMPONENT"));
    assert.throws(() => bar.update(Number.NaN), /got NaN\.$/);
    assert.throws(() => bar.update(11), /progress\(\) takes a value from 0 to its max \(10\), got 11\.$/);
    assert.throws(() => progress(-1, 10), bad("FS_CARD_BAD_COMPONENT"));
    assert.equal(bar.value, 4, "a refused update leaves the bar as it was");
  });

  test("hand-made components are checked like built ones", () => {
    assert.deepEqual(componentData(markdown("# hi")), { type: "markdown", text: "# hi" });
    for (const made of [
      { type: "html", html: "<b>" },
      { type: "markdown", text: 5 },
      { type: "image", mediaType: "text/html", data: "", alt: "" },
      null,
    ]) {
      assert.throws(() => componentData(made as never), bad("FS_CARD_BAD_COMPONENT"), JSON.stringify(made));
    }
  });

  test("values JSON cannot hold: a chart refuses them in one line, a table shows them as text", () => {
    // given: a BigInt, and a record that holds itself
    const cyclic: Record<string, unknown> = { x: "a", y: 1 };
    cyclic.self = cyclic;
    const spec = (values: unknown[]) =>
      ({
        mark: "bar",
        data: { values },
        encoding: { x: { field: "x", type: "ordinal" }, y: { field: "y", type: "quantitative" } },
      }) as never;
    // then: a chart refuses them at chart(), not with JSON.stringify's TypeError
    for (const [values, why] of [
      [[{ x: "a", y: 1, id: 2n }], "Do not know how to serialize a BigInt"],
      [[cyclic], "Converting circular structure to JSON"],
    ] as const) {
      assert.throws(
        () => chart(spec([...values])),
        (e: Error & { code?: string }) =>
          e.code === "FS_CARD_BAD_COMPONENT" &&
          e.message ===
            `chart() takes data a card can store as JSON (numbers, strings, booleans, null, arrays and records): ${why}.`,
      );
    }
    // then: a table's cells are shown as text
    const throwing = {
      toJSON() {
        throw new Error("no");
      },
    };
    assert.deepEqual(table([{ big: 2n, cyclic, throwing, symbol: Symbol("s") }]).rows, [
      ["2", "[object Object]", "[object Object]", "Symbol(s)"],
    ]);
  });

  test("an image's alt that is not a string is refused at image()", () => {
    assert.throws(
      () => image("<svg/>", { alt: 5 as never }),
      (e: Error & { code?: string }) =>
        e.code === "FS_CARD_BAD_COMPONENT" && e.message === "image() takes alt as a string, got number.",
    );
  });
});
