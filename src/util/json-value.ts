/**
 * Whether a value survives JSON as it is. `JSON.stringify` throws on a BigInt or a cycle, and
 * quietly changes the rest (a function or symbol dropped, NaN made null, a Date made text, a Map
 * made {}): a value that crosses to another machine as JSON is checked first, so that the other
 * side gets what the caller gave.
 */

/** What in `value` JSON cannot carry as it is, with where (`a.b[2]`); undefined when it can. */
export function notJson(value: unknown, at = "", seen: Set<object> = new Set()): string | undefined {
  if (value === null || typeof value === "string" || typeof value === "boolean") return undefined;
  const where = at ? ` at ${at}` : "";
  if (typeof value === "number") return Number.isFinite(value) ? undefined : `${value}${where}`;
  if (typeof value !== "object") return `a ${typeof value}${where}`;
  if (seen.has(value)) return `a cycle${where}`;
  const proto = Object.getPrototypeOf(value);
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
    return `a ${proto?.constructor?.name ?? "non-plain object"}${where}`;
  }
  seen.add(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, i) => [`${at}[${i}]`, item])
    : Object.entries(value).map(([key, item]) => [at ? `${at}.${key}` : key, item]);
  for (const [path, item] of entries) {
    // An undefined property is left out, as JSON.stringify leaves it: the same object once read.
    if (item === undefined && !Array.isArray(value)) continue;
    const problem = notJson(item, path, seen);
    if (problem) return problem;
  }
  seen.delete(value);
  return undefined;
}
