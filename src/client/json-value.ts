/**
 * Artifact values as JSON. Artifacts hold any structured-clone value; the ones JSON cannot hold
 * become objects tagged with `"$type"` (see docs/client.md), and `fromJsonValue` turns them back:
 *
 *   undefined               {"$type":"Undefined"}
 *   NaN, ±Infinity, -0      {"$type":"Number","value":"NaN"}
 *   123n                    {"$type":"BigInt","value":"123"}
 *   Date                    {"$type":"Date","value":"2026-01-02T03:04:05.000Z"}
 *   RegExp                  {"$type":"RegExp","source":"a+","flags":"g"}
 *   Map                     {"$type":"Map","entries":[[key, value], …]}
 *   Set                     {"$type":"Set","values":[…]}
 *   Float64Array etc.       {"$type":"Float64Array","values":[…]}   (BigInt64Array: decimal strings)
 *   ArrayBuffer, DataView   {"$type":"ArrayBuffer","base64":"…"}
 *   Error                   {"$type":"Error","name":…,"message":…,"stack":…}
 *   an object with "$type"  {"$type":"Object","value":{…}}          (so plain data is never mistaken)
 *   a cycle                 {"$type":"Circular"}                     (not restored)
 *   too large to show       {"$type":"TooLarge","message":"…"}       (the whole value, see below)
 *
 * An object referenced twice is written out twice (JSON has no references). Stored values keep
 * their sharing, so 289 bytes (`a = [a, a]` forty times) would expand to 2^40 copies: past a budget
 * of copied values (MAX_REPEATED_VALUES) the whole value is the TooLarge marker instead, so
 * encoding costs at most the value's own size plus the budget. Holes in sparse arrays are written
 * out as `{"$type":"Undefined"}` too and cost nothing to store (`s[2**32 - 2] = 1` is 26 bytes), so
 * they count against the same budget, always.
 */
import { TYPED_ARRAYS as SERIALIZABLE_TYPED_ARRAYS } from "../datastore/serializer.js";

/** A value JSON.stringify writes as it is. */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const TYPED_ARRAYS = SERIALIZABLE_TYPED_ARRAYS as unknown as Record<
  string,
  new (
    values: ArrayLike<number> & ArrayLike<bigint>,
  ) => unknown
>;

/** Values copied out of shared objects before a value is too large to show as JSON. */
export const MAX_REPEATED_VALUES = 1_000_000;

/** Where an encoding is: the objects above it (cycles), those already written, the copies made. */
interface Walk {
  ancestors: Set<object>;
  seen: WeakSet<object>;
  /** How many shared objects being written again enclose the current value (0: none). */
  repeating: number;
  repeated: number;
  /** Holes of sparse arrays written out so far. */
  holes: number;
  budget: number;
}

/** Thrown through the walk when the budget runs out; toJsonValue turns it into the marker. */
class TooLargeToShow extends Error {}

const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

/**
 * Counts the holes of an array against the budget before it is written out. Object.keys is
 * O(elements), not O(length), for a sparse array, so this never walks the holes themselves.
 */
function chargeHoles(list: readonly unknown[], walk: Walk): void {
  const keys = Object.keys(list);
  if (keys.length === list.length) return;
  let present = 0;
  for (const key of keys) if (INDEX_KEY.test(key)) present++;
  walk.holes += list.length - present;
  if (walk.holes > walk.budget) throw new TooLargeToShow("sparse");
}

/** Counts `n` values written inside a copy of a shared object. */
function charge(walk: Walk, n: number): void {
  if (walk.repeating === 0) return;
  walk.repeated += n;
  if (walk.repeated > walk.budget) throw new TooLargeToShow();
}

function encodeNumber(n: number): JsonValue {
  if (Number.isFinite(n) && !Object.is(n, -0)) return n;
  return { $type: "Number", value: Object.is(n, -0) ? "-0" : String(n) };
}

function encodeObject(value: object, walk: Walk): JsonValue {
  if (value instanceof Date) {
    return { $type: "Date", value: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  }
  if (value instanceof RegExp) return { $type: "RegExp", source: value.source, flags: value.flags };
  if (value instanceof ArrayBuffer) {
    charge(walk, value.byteLength);
    return { $type: "ArrayBuffer", base64: Buffer.from(value).toString("base64") };
  }
  if (value instanceof DataView) {
    charge(walk, value.byteLength);
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $type: "DataView", base64: bytes.toString("base64") };
  }
  if (ArrayBuffer.isView(value)) {
    const name = value instanceof Buffer ? "Uint8Array" : value.constructor.name;
    const items = Array.from(value as unknown as ArrayLike<number | bigint>);
    charge(walk, items.length);
    return {
      $type: name,
      values: items.map((v) => (typeof v === "bigint" ? v.toString() : encodeNumber(v))),
    };
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return encode(value.valueOf(), walk);
  }
  const { ancestors } = walk;
  ancestors.add(value);
  try {
    if (value instanceof Map) {
      return {
        $type: "Map",
        entries: [...value].map(([k, v]) => [encode(k, walk), encode(v, walk)]),
      };
    }
    if (value instanceof Set) return { $type: "Set", values: [...value].map((v) => encode(v, walk)) };
    if (value instanceof Error) {
      return {
        $type: "Error",
        name: value.name,
        message: value.message,
        ...(value.stack ? { stack: value.stack } : {}),
      };
    }
    if (Array.isArray(value)) {
      chargeHoles(value, walk);
      return Array.from(value, (v) => encode(v, walk));
    }
    const result: Record<string, JsonValue> = {};
    for (const [key, v] of Object.entries(value)) result[key] = encode(v, walk);
    return Object.hasOwn(value, "$type") ? { $type: "Object", value: result } : result;
  } finally {
    ancestors.delete(value);
  }
}

function encodeShared(value: object, walk: Walk): JsonValue {
  if (walk.ancestors.has(value)) return { $type: "Circular" };
  const again = walk.seen.has(value);
  walk.seen.add(value);
  if (again) walk.repeating++;
  try {
    return encodeObject(value, walk);
  } finally {
    if (again) walk.repeating--;
  }
}

function encode(value: unknown, walk: Walk): JsonValue {
  charge(walk, 1);
  switch (typeof value) {
    case "undefined":
      return { $type: "Undefined" };
    case "number":
      return encodeNumber(value);
    case "bigint":
      return { $type: "BigInt", value: value.toString() };
    case "string":
    case "boolean":
      return value;
    case "object":
      if (value === null) return null;
      return encodeShared(value, walk);
    default:
      // Functions and symbols cannot be stored as artifacts; say what they were.
      return { $type: "Unsupported", value: typeof value };
  }
}

/**
 * Turns an artifact value into JSON-safe data, tagging what JSON cannot hold. A value whose shared
 * objects would be copied out more than `maxRepeatedValues` values' worth becomes
 * `{"$type":"TooLarge","message":…}` as a whole.
 */
export function toJsonValue(value: unknown, options: { maxRepeatedValues?: number } = {}): JsonValue {
  const budget = options.maxRepeatedValues ?? MAX_REPEATED_VALUES;
  const walk: Walk = {
    ancestors: new Set(),
    seen: new WeakSet(),
    repeating: 0,
    repeated: 0,
    holes: 0,
    budget,
  };
  try {
    return encode(value, walk);
  } catch (error) {
    if (!(error instanceof TooLargeToShow)) throw error;
    const why =
      error.message === "sparse"
        ? `the holes of its sparse arrays would be written out as more than ${budget} values`
        : `its shared objects would be copied out as more than ${budget} values`;
    return { $type: "TooLarge", message: `too large to show: ${why}` };
  }
}

/** Whether toJsonValue gave up on a value as too large to show. */
export function isTooLarge(json: JsonValue): boolean {
  return typeof json === "object" && json !== null && !Array.isArray(json) && json.$type === "TooLarge";
}

function decodeTagged(tagged: Record<string, JsonValue>): unknown {
  const type = tagged.$type as string;
  switch (type) {
    case "Undefined":
      return undefined;
    case "Number":
      return tagged.value === "-0" ? -0 : Number(tagged.value);
    case "BigInt":
      return BigInt(tagged.value as string);
    case "Date":
      return new Date(tagged.value === null ? Number.NaN : (tagged.value as string));
    case "RegExp":
      return new RegExp(tagged.source as string, tagged.flags as string);
    case "Map":
      return new Map(
        (tagged.entries as JsonValue[][]).map(([k, v]) => [fromJsonValue(k!), fromJsonValue(v!)]),
      );
    case "Set":
      return new Set((tagged.values as JsonValue[]).map(fromJsonValue));
    case "ArrayBuffer":
      return new Uint8Array(Buffer.from(tagged.base64 as string, "base64")).buffer;
    case "DataView":
      return new DataView(new Uint8Array(Buffer.from(tagged.base64 as string, "base64")).buffer);
    case "Error":
      return Object.assign(new Error(tagged.message as string), { name: tagged.name, stack: tagged.stack });
    case "Object":
      return decodeObject(tagged.value as Record<string, JsonValue>);
    default: {
      const Ctor = TYPED_ARRAYS[type];
      if (!Ctor) return decodeObject(tagged);
      const values = (tagged.values as JsonValue[]).map((v) =>
        typeof v === "string" ? BigInt(v) : (fromJsonValue(v) as number),
      );
      return new Ctor(values as never);
    }
  }
}

function decodeObject(value: Record<string, JsonValue>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) result[key] = fromJsonValue(v);
  return result;
}

/** The inverse of {@link toJsonValue} (cycles stay `{"$type":"Circular"}`). */
export function fromJsonValue(json: JsonValue): unknown {
  if (Array.isArray(json)) return json.map(fromJsonValue);
  if (json === null || typeof json !== "object") return json;
  return typeof json.$type === "string" ? decodeTagged(json) : decodeObject(json);
}
