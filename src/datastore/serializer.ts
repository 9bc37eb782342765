/**
 * Artifact values ⇄ bytes. Every structured-clone value round-trips (Map, Set, Date, BigInt,
 * typed arrays, nested objects, `undefined` vs `null`) through V8's serializer. A top-level typed
 * array or ArrayBuffer is stored as its raw bytes instead: no copy on the way out, so storing a
 * 1 GB array costs 1 GB of memory, not 2.
 */
import v8 from "node:v8";
import { maxArtifactBytesSetting } from "../config.js";
import { FlowshipError } from "../errors.js";
import { MAX_READABLE_BYTES } from "../util/read-whole-file.js";

export interface EncodedArtifact {
  encoding: string;
  /** A short description of the value's type, shown by `dump` and the Client API. */
  type: string;
  chunks: NodeJS.ArrayBufferView[];
  size: number;
}

export class UnstorableArtifactError extends FlowshipError {}

/** The typed array constructors structured clone knows, by name. */
export const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

const CLONEABLE_PROTOTYPES = new Set<object | null>([
  null,
  Object.prototype,
  Array.prototype,
  Map.prototype,
  Set.prototype,
  Date.prototype,
  RegExp.prototype,
  ArrayBuffer.prototype,
  DataView.prototype,
  Boolean.prototype,
  Number.prototype,
  String.prototype,
  Error.prototype,
  EvalError.prototype,
  RangeError.prototype,
  ReferenceError.prototype,
  SyntaxError.prototype,
  TypeError.prototype,
  URIError.prototype,
  ...Object.values(TYPED_ARRAYS).map((c) => c.prototype),
  Buffer.prototype,
]);

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (typeof value !== "object") return typeof value;
  if (Array.isArray(value)) return `Array(${value.length})`;
  const name = Object.getPrototypeOf(value)?.constructor?.name ?? "Object";
  if (value instanceof Map || value instanceof Set) return `${name}(${value.size})`;
  if (ArrayBuffer.isView(value))
    return `${name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  return name;
}

/**
 * Why an object that is not plain data cannot be stored. An iterator (a generator's, a Map's
 * `entries()`) is named as one, with what to store instead: its class has no name to give.
 */
function notPlainData(value: object, proto: { constructor?: { name?: string } } | null): string {
  const advice = "store plain data (objects, arrays, Map, Set, Date, typed arrays) instead";
  if (typeof (value as { next?: unknown }).next === "function" && Symbol.iterator in value) {
    const tag = (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag];
    const kind = typeof tag === "string" ? ` (${tag})` : "";
    return `is an iterator${kind}, which can be read only once; store an array of its items instead ([...items])`;
  }
  const name = proto?.constructor?.name;
  return name
    ? `is an instance of class ${name}; ${advice}`
    : `is an instance of an unnamed class; ${advice}`;
}

/** Why a part of a value cannot be stored, and where: `path` is filled in as the search unwinds. */
interface Unstorable {
  path: string[];
  reason: string;
}

/**
 * How deep objects, arrays, Maps and Sets may nest in an artifact. `v8.serialize` takes values
 * far deeper than `v8.deserialize` can read back on a main thread's stack (about 1,900 levels of
 * objects here), so a deeper value would be stored and then be unreadable forever: refused when
 * stored, with margin for the stack a reader already uses.
 */
export const MAX_ARTIFACT_NESTING = 1000;

/**
 * Finds the first part of `value` that cannot be stored. Runs over every node of large values,
 * so it builds the path (like `model.predict`) only for the part it reports.
 */
function findUnstorable(value: unknown, seen: Set<object>, depth = 0): Unstorable | undefined {
  if (typeof value === "function") return { path: [], reason: "is a function" };
  if (typeof value === "symbol") return { path: [], reason: "is a symbol" };
  if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
  if (depth >= MAX_ARTIFACT_NESTING) {
    return {
      path: [],
      reason: `is nested ${MAX_ARTIFACT_NESTING.toLocaleString("en-US")} levels deep, more than an artifact may be and still be read back; flatten it (or store it as a JSON string)`,
    };
  }
  seen.add(value);
  const deeper = depth + 1;
  const proto = Object.getPrototypeOf(value);
  if (!CLONEABLE_PROTOTYPES.has(proto)) return { path: [], reason: notPlainData(value, proto) };
  if (proto === Object.prototype || proto === null) {
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (isPrimitive(item)) continue;
      const found = findUnstorable(item, seen, deeper);
      if (found) return within(found, `.${key}`);
    }
    return undefined;
  }
  if (proto === Array.prototype) {
    const array = value as unknown[];
    let holes = 0;
    let counted = false;
    for (let i = 0; i < array.length; i++) {
      const item = array[i];
      if (item !== undefined || i in array) holes = 0;
      else if (++holes > SPARSE_AFTER_HOLES && !counted) {
        // Counted once per array: walking the keys costs a string per element, the indices one
        // step per index, so the keys win only where holes far outnumber the elements.
        counted = true;
        const keys = Object.keys(array);
        if (keys.length * SPARSE_RATIO < array.length - i) return findInSparse(array, keys, i, seen, deeper);
      }
      if (isPrimitive(item)) continue;
      const found = findUnstorable(item, seen, deeper);
      if (found) return within(found, `[${i}]`);
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const inKey = findUnstorable(k, seen, deeper);
      if (inKey) return within(inKey, "<key>");
      const inValue = findUnstorable(v, seen, deeper);
      if (inValue) return within(inValue, `.get(${String(k)})`);
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const v of value) {
      const found = findUnstorable(v, seen, deeper);
      if (found) return within(found, "<item>");
    }
    return undefined;
  }
  // Typed arrays, buffers, dates, regexps, boxed primitives and errors hold no nested values
  // that could be unstorable.
  return undefined;
}

/**
 * Holes in a row after which an array's keys are counted: `a[2 ** 31] = 1` has a length of two
 * billion and one element (v8.serialize stores such an array by its elements), and so does one
 * with an element every 65,536 indices. Keys cost a string each, so an array with a few holes
 * keeps its index walk.
 */
const SPARSE_AFTER_HOLES = 64;

/** How many more indices than elements are left before the keys are walked instead of the indices. */
const SPARSE_RATIO = 16;

/** The rest of a sparse array from index `from`, by the elements it has (Object.keys: ascending). */
function findInSparse(
  array: unknown[],
  keys: readonly string[],
  from: number,
  seen: Set<object>,
  depth: number,
): Unstorable | undefined {
  for (const key of keys) {
    const index = Number(key);
    // Properties that are not indices (`a.name = …`) are not walked, as in a dense array.
    if (!(index >= from) || !Number.isInteger(index)) continue;
    const item = array[index];
    if (isPrimitive(item)) continue;
    const found = findUnstorable(item, seen, depth);
    if (found) return within(found, `[${index}]`);
  }
  return undefined;
}

// Primitives are the bulk of large values and always storable; skipping the call for them is
// most of the walk's speed.
function isPrimitive(value: unknown): boolean {
  return (
    (typeof value !== "object" || value === null) && typeof value !== "function" && typeof value !== "symbol"
  );
}

function within(found: Unstorable, segment: string): Unstorable {
  found.path.push(segment);
  return found;
}

export function encodeArtifact(name: string, step: string, value: unknown): EncodedArtifact {
  return readableSize(name, step, encode(name, step, value));
}

/**
 * The most bytes an artifact may take: FLOWSHIP_MAX_ARTIFACT_BYTES, and never more than a buffer
 * holds, which is what a later step or the Client API reads it back into.
 */
function artifactLimit(): { bytes: number; why: string } {
  const setting = maxArtifactBytesSetting();
  if (setting !== undefined && Number.isNaN(setting)) {
    throw new FlowshipError(
      "FS_CONFIG_INVALID",
      "Invalid FLOWSHIP_MAX_ARTIFACT_BYTES: give a whole number of bytes, e.g. 1073741824 for 1 GiB.",
      { exitCode: 2 },
    );
  }
  return setting !== undefined && setting < MAX_READABLE_BYTES
    ? { bytes: setting, why: "FLOWSHIP_MAX_ARTIFACT_BYTES allows" }
    : { bytes: MAX_READABLE_BYTES, why: "Node can read back as one value (buffer.constants.MAX_LENGTH)" };
}

/** Refuses, when it is stored, an artifact too large to be read back: never write what cannot be read. */
function readableSize(name: string, step: string, encoded: EncodedArtifact): EncodedArtifact {
  const limit = artifactLimit();
  if (encoded.size <= limit.bytes) return encoded;
  throw new UnstorableArtifactError(
    "FS_ARTIFACT_TOO_LARGE",
    `Cannot store artifact '${name}' of step '${step}': it is ${byteCount(encoded.size)}, more than the ${byteCount(limit.bytes)} ${limit.why}; store it in pieces (several artifacts), or write it to S3 yourself and store its URL.`,
  );
}

function byteCount(bytes: number): string {
  const gib = bytes / 2 ** 30;
  return gib >= 1
    ? `${gib.toFixed(2)} GiB (${bytes.toLocaleString("en-US")} bytes)`
    : `${bytes.toLocaleString("en-US")} bytes`;
}

function encode(name: string, step: string, value: unknown): EncodedArtifact {
  if (value instanceof ArrayBuffer) {
    return {
      encoding: "raw:ArrayBuffer",
      type: `ArrayBuffer(${value.byteLength})`,
      chunks: [new Uint8Array(value)],
      size: value.byteLength,
    };
  }
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    // A Buffer comes back a Buffer (`raw:Buffer`), not a Uint8Array whose toString() gives digits.
    const ctor = Buffer.isBuffer(value) ? "Buffer" : value.constructor.name;
    if (ctor === "Buffer" || ctor in TYPED_ARRAYS) {
      const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      return { encoding: `raw:${ctor}`, type: describeType(value), chunks: [bytes], size: value.byteLength };
    }
  }
  const problem = findUnstorable(value, new Set());
  if (problem) {
    // A path thousands of segments long would bury the message: show its ends.
    const segments = problem.path.reverse();
    const shown = segments.length > 12 ? [...segments.slice(0, 6), "…", ...segments.slice(-3)] : segments;
    const where = name + shown.join("");
    throw new UnstorableArtifactError(
      "FS_ARTIFACT_UNSTORABLE",
      `Cannot store artifact '${name}' of step '${step}': ${where} ${problem.reason}.`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = v8.serialize(value);
  } catch (error) {
    throw new UnstorableArtifactError(
      "FS_ARTIFACT_UNSTORABLE",
      `Cannot store artifact '${name}' of step '${step}': ${(error as Error).message}.`,
      { cause: error },
    );
  }
  return { encoding: "v8", type: describeType(value), chunks: [bytes], size: bytes.byteLength };
}

export function decodeArtifact(encoding: string, bytes: Buffer): unknown {
  if (encoding === "v8") {
    try {
      return v8.deserialize(bytes);
    } catch (error) {
      // Only a value stored before nesting was limited can be too deep to read here.
      if (!(error instanceof RangeError)) throw error;
      throw new UnstorableArtifactError(
        "FS_ARTIFACT_TOO_DEEP",
        `The artifact is nested too deeply to be read back on this stack (${error.message}); it was stored before flowship refused values nested ${MAX_ARTIFACT_NESTING.toLocaleString("en-US")} levels deep. Read it with a larger stack: NODE_OPTIONS=--stack-size=4000.`,
      );
    }
  }
  if (encoding.startsWith("raw:")) {
    const ctorName = encoding.slice(4);
    // A value must own its memory: a small read is a view into Node's shared pool, whose other
    // bytes (say, the attempt's records) would be reachable through `.buffer`. Typed arrays also
    // need their offset aligned to the element size. Copy unless the bytes are a whole buffer.
    const owned = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
    const aligned = owned ? bytes : Buffer.from(new Uint8Array(bytes).buffer);
    if (ctorName === "Buffer") return aligned;
    if (ctorName === "ArrayBuffer") {
      return aligned.buffer.slice(aligned.byteOffset, aligned.byteOffset + aligned.byteLength);
    }
    const Ctor = TYPED_ARRAYS[ctorName as TypedArrayName];
    if (Ctor) {
      return new Ctor(
        aligned.buffer as ArrayBuffer,
        aligned.byteOffset,
        aligned.byteLength / Ctor.BYTES_PER_ELEMENT,
      );
    }
  }
  throw new FlowshipError(
    "FS_ARTIFACT_ENCODING",
    `Unknown artifact encoding '${encoding}'; upgrade flowship to read it.`,
  );
}
