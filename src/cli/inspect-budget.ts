/**
 * Whether `util.inspect` can show a stored value at a bounded cost. Stored values keep their
 * shared objects, and inspect writes a shared object out wherever it is referenced: 1,000 references
 * to an array of 1,000 references to another, six levels deep, is a few kilobytes stored and 10^18
 * lines shown. This walks the value as inspect would (as deep, as many items per array, Map and
 * Set, and the named properties of arrays, which inspect shows whatever their number) and counts
 * what it would copy out of objects it has already written, up to a budget.
 */

export interface InspectLimits {
  /** inspect's `depth`. */
  depth: number;
  /** inspect's `maxArrayLength` (items of arrays, Maps, Sets and typed arrays). */
  maxArrayLength: number;
  /** Values copied out of shared objects that are still fine to show. */
  budget: number;
}

interface Walk {
  limits: InspectLimits;
  ancestors: Set<object>;
  seen: WeakSet<object>;
  repeating: number;
  repeated: number;
  named: WeakMap<unknown[], unknown[]>;
}

/** The first `max` items of an iterable, without copying the rest. */
function firstItems<T>(items: Iterable<T>, max: number): T[] {
  const taken: T[] = [];
  for (const item of items) {
    if (taken.length >= max) break;
    taken.push(item);
  }
  return taken;
}

const INDEX_KEY = /^(?:0|[1-9][0-9]*)$/;

function isIndex(key: string): boolean {
  return INDEX_KEY.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * The values of an array's named properties (`list.p = …`), which inspect shows after its items
 * whatever maxArrayLength is. Object.keys lists the indices first, so the named ones are found
 * from the end; each array's are looked up once, however often it is visited.
 */
function namedValues(list: unknown[], walk: Walk): unknown[] {
  let values = walk.named.get(list);
  if (values) return values;
  const keys = Object.keys(list);
  let first = keys.length;
  while (first > 0 && !isIndex(keys[first - 1]!)) first--;
  values = keys.slice(first).map((key) => (list as unknown as Record<string, unknown>)[key]);
  walk.named.set(list, values);
  return values;
}

function children(value: object, walk: Walk): unknown[] {
  const max = walk.limits.maxArrayLength;
  if (Array.isArray(value)) return [...value.slice(0, max), ...namedValues(value, walk)];
  if (value instanceof Map) return firstItems(value, max).flat();
  if (value instanceof Set) return firstItems(value, max);
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return [];
  return Object.values(value);
}

/** Returns false as soon as the budget runs out. */
function visit(value: unknown, level: number, walk: Walk): boolean {
  if (walk.repeating > 0 && ++walk.repeated > walk.limits.budget) return false;
  if (typeof value !== "object" || value === null || level > walk.limits.depth) return true;
  if (walk.ancestors.has(value)) return true; // inspect prints [Circular *n]
  const again = walk.seen.has(value);
  walk.seen.add(value);
  if (again) walk.repeating++;
  walk.ancestors.add(value);
  try {
    if (ArrayBuffer.isView(value) && walk.repeating > 0) {
      walk.repeated += Math.min(
        (value as unknown as ArrayLike<unknown>).length ?? 0,
        walk.limits.maxArrayLength,
      );
      if (walk.repeated > walk.limits.budget) return false;
    }
    for (const child of children(value, walk)) {
      if (!visit(child, level + 1, walk)) return false;
    }
    return true;
  } finally {
    walk.ancestors.delete(value);
    if (again) walk.repeating--;
  }
}

/** Whether inspect, with these limits, copies out no more than `budget` values of shared objects. */
export function fitsInspect(value: unknown, limits: InspectLimits): boolean {
  return visit(value, 0, {
    limits,
    ancestors: new Set(),
    seen: new WeakSet(),
    repeating: 0,
    repeated: 0,
    named: new WeakMap(),
  });
}
