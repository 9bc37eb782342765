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

function encodeNumber(n: number): JsonValue {
  if (Number.isFinite(n) && !Object.is(n, -0)) return n;
  return { $type: "Number", value: Object.is(n, -0) ? "-0" : String(n) };
}

function encodeObject(value: object, ancestors: Set<object>): JsonValue {
  if (value instanceof Date) {
    return { $type: "Date", value: Number.isNaN(value.getTime()) ? null : value.toISOString() };
  }
  if (value instanceof RegExp) return { $type: "RegExp", source: value.source, flags: value.flags };
  if (value instanceof ArrayBuffer) {
    return { $type: "ArrayBuffer", base64: Buffer.from(value).toString("base64") };
  }
  if (value instanceof DataView) {
    const bytes = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return { $type: "DataView", base64: bytes.toString("base64") };
  }
  if (ArrayBuffer.isView(value)) {
    const name = value instanceof Buffer ? "Uint8Array" : value.constructor.name;
    const items = Array.from(value as unknown as ArrayLike<number | bigint>);
    return {
      $type: name,
      values: items.map((v) => (typeof v === "bigint" ? v.toString() : encodeNumber(v))),
    };
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) {
    return encode(value.valueOf(), ancestors);
  }
  ancestors.add(value);
  try {
    if (value instanceof Map) {
      return {
        $type: "Map",
        entries: [...value].map(([k, v]) => [encode(k, ancestors), encode(v, ancestors)]),
      };
    }
    if (value instanceof Set) return { $type: "Set", values: [...value].map((v) => encode(v, ancestors)) };
    if (value instanceof Error) {
      return {
        $type: "Error",
        name: value.name,
        message: value.message,
        ...(value.stack ? { stack: value.stack } : {}),
      };
    }
    if (Array.isArray(value)) return Array.from(value, (v) => encode(v, ancestors));
    const result: Record<string, JsonValue> = {};
    for (const [key, v] of Object.entries(value)) result[key] = encode(v, ancestors);
    return Object.hasOwn(value, "$type") ? { $type: "Object", value: result } : result;
  } finally {
    ancestors.delete(value);
  }
}

function encode(value: unknown, ancestors: Set<object>): JsonValue {
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
      return ancestors.has(value) ? { $type: "Circular" } : encodeObject(value, ancestors);
    default:
      // Functions and symbols cannot be stored as artifacts; say what they were.
      return { $type: "Unsupported", value: typeof value };
  }
}

/** Turns an artifact value into JSON-safe data, tagging what JSON cannot hold. */
export function toJsonValue(value: unknown): JsonValue {
  return encode(value, new Set());
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
