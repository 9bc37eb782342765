/**
 * What the task page shows of an artifact's value: a tree of what the value is (a Map as a Map,
 * a Date as a date, bytes as bytes) cut to a budget — the first items of a long list, the first
 * rows of a table, the first KiB of a string — so a value of any size or shape (shared objects
 * included: `a = [a, a]` forty times over would otherwise expand to 2^40 nodes) is shown in
 * bounded time and space, with its full length said.
 */
import type { Shown } from "./views.js";

/** Items of a list, entries of an object or Map, shown before "… N more". */
const ITEMS = 50;
/** Rows of a table of records sent to the page (which pages and sorts them). */
const TABLE_ROWS = 1000;
const TABLE_COLUMNS = 40;
/** Bytes of a binary value shown as a hex dump. */
const HEX_BYTES = 4096;
/** Characters of one string, and of all strings of one value. */
const STRING_CHARS = 64 * 1024;
const TOTAL_CHARS = 512 * 1024;
/** Nodes of the tree at most, and how deep it goes. */
const NODES = 5000;
const DEPTH = 12;

const BYTE_VIEWS = new Set(["Uint8Array", "Uint8ClampedArray", "Int8Array", "Buffer"]);

interface Budget {
  nodes: number;
  chars: number;
}

function numberText(n: number | bigint): string {
  return Object.is(n, -0) ? "-0" : String(n);
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEX_BYTES)).toString("hex");
}

function binary(value: object): Shown | undefined {
  if (value instanceof ArrayBuffer)
    return { t: "bytes", name: "ArrayBuffer", len: value.byteLength, hex: hex(new Uint8Array(value)) };
  if (value instanceof DataView) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { t: "bytes", name: "DataView", len: value.byteLength, hex: hex(bytes) };
  }
  if (!ArrayBuffer.isView(value)) return undefined;
  const name = Buffer.isBuffer(value) ? "Buffer" : value.constructor.name;
  const view = value as unknown as ArrayLike<number | bigint> & ArrayBufferView;
  if (BYTE_VIEWS.has(name) && name !== "Int8Array") {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    return { t: "bytes", name, len: view.length, hex: hex(bytes) };
  }
  const items: string[] = [];
  for (let i = 0; i < Math.min(view.length, ITEMS * 4); i++) items.push(numberText(view[i]!));
  return { t: "typed", name, len: view.length, items };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An array of plain records with few distinct keys: shown as a table. */
function tableColumns(list: readonly unknown[]): string[] | undefined {
  if (list.length < 2) return undefined;
  const columns = new Set<string>();
  for (const row of list.slice(0, TABLE_ROWS)) {
    if (!isRecord(row)) return undefined;
    for (const key of Object.keys(row)) {
      columns.add(key);
      if (columns.size > TABLE_COLUMNS) return undefined;
    }
  }
  return [...columns];
}

function shown(value: unknown, budget: Budget, ancestors: Set<object>, depth: number): Shown {
  if (--budget.nodes < 0) return { t: "cut" };
  switch (typeof value) {
    case "undefined":
      return { t: "undefined" };
    case "boolean":
      return { t: "bool", v: value };
    case "number":
      return { t: "num", v: numberText(value) };
    case "bigint":
      return { t: "bigint", v: value.toString() };
    case "string": {
      const keep = Math.max(0, Math.min(value.length, STRING_CHARS, budget.chars));
      budget.chars -= keep;
      return { t: "str", v: value.slice(0, keep), len: value.length };
    }
    case "object":
      if (value === null) return { t: "null" };
      return objectShown(value, budget, ancestors, depth);
    default:
      return { t: "other", v: typeof value };
  }
}

function objectShown(value: object, budget: Budget, ancestors: Set<object>, depth: number): Shown {
  if (value instanceof Date)
    return { t: "date", v: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  if (value instanceof RegExp) return { t: "regexp", v: String(value) };
  const bytes = binary(value);
  if (bytes) return bytes;
  if (value instanceof Number || value instanceof String || value instanceof Boolean)
    return shown(value.valueOf(), budget, ancestors, depth);
  if (ancestors.has(value)) return { t: "circular" };
  if (depth >= DEPTH) return { t: "cut" };
  if (value instanceof Error) {
    return {
      t: "error",
      name: value.name,
      message: value.message,
      ...(value.stack ? { stack: value.stack } : {}),
    };
  }
  ancestors.add(value);
  try {
    const child = (v: unknown) => shown(v, budget, ancestors, depth + 1);
    if (value instanceof Map) {
      const entries: [Shown, Shown][] = [];
      for (const [k, v] of value) {
        if (entries.length >= ITEMS || budget.nodes <= 0) break;
        entries.push([child(k), child(v)]);
      }
      return { t: "map", size: value.size, entries };
    }
    if (value instanceof Set) {
      const items: Shown[] = [];
      for (const v of value) {
        if (items.length >= ITEMS || budget.nodes <= 0) break;
        items.push(child(v));
      }
      return { t: "set", size: value.size, items };
    }
    if (Array.isArray(value)) {
      const columns = tableColumns(value);
      if (columns) {
        const rows: Shown[][] = [];
        for (const row of value.slice(0, TABLE_ROWS)) {
          if (budget.nodes <= 0) break;
          rows.push(
            columns.map((c) =>
              Object.hasOwn(row as object, c) ? child((row as Record<string, unknown>)[c]) : { t: "absent" },
            ),
          );
        }
        return { t: "table", len: value.length, columns, rows };
      }
      const items: Shown[] = [];
      for (let i = 0; i < Math.min(value.length, ITEMS) && budget.nodes > 0; i++) items.push(child(value[i]));
      return { t: "arr", len: value.length, items };
    }
    const keys = Object.keys(value);
    const entries: [string, Shown][] = [];
    for (const key of keys) {
      if (entries.length >= ITEMS || budget.nodes <= 0) break;
      entries.push([key, child((value as Record<string, unknown>)[key])]);
    }
    const name = Object.getPrototypeOf(value)?.constructor?.name;
    return { t: "obj", size: keys.length, entries, ...(name && name !== "Object" ? { name } : {}) };
  } finally {
    ancestors.delete(value);
  }
}

/** The value as the page shows it, within the budget. */
export function previewValue(value: unknown): Shown {
  return shown(value, { nodes: NODES, chars: TOTAL_CHARS }, new Set(), 0);
}

/** The start of a raw typed array or byte blob too large to load: its first bytes, as that type. */
export function previewRawStart(encoding: string, bytes: Buffer, size: number): Shown | undefined {
  const name = encoding.slice("raw:".length);
  if (["Buffer", "ArrayBuffer", "Uint8Array", "Uint8ClampedArray"].includes(name))
    return { t: "bytes", name, len: size, hex: bytes.subarray(0, HEX_BYTES).toString("hex") };
  const Ctor = (
    globalThis as unknown as Record<
      string,
      { BYTES_PER_ELEMENT: number; new (b: ArrayBuffer): ArrayLike<number | bigint> }
    >
  )[name];
  if (!Ctor?.BYTES_PER_ELEMENT) return undefined;
  const whole = bytes.byteLength - (bytes.byteLength % Ctor.BYTES_PER_ELEMENT);
  const view = new Ctor(new Uint8Array(bytes.subarray(0, whole)).buffer);
  return {
    t: "typed",
    name,
    len: size / Ctor.BYTES_PER_ELEMENT,
    items: Array.from(view, numberText).slice(0, ITEMS * 4),
  };
}

/** A value on one line, at most `max` characters: a foreach item in a timeline row's label. */
export function oneLine(value: unknown, max = 60): string {
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "bigint") text = `${value}n`;
  else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  else if (value === undefined) text = "undefined";
  else {
    try {
      text =
        JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
    } catch {
      // A cycle: its type says enough for a label.
      text = Object.prototype.toString.call(value);
    }
  }
  text = text.replace(/\s+/g, " ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
