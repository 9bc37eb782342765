/**
 * Option objects as a flow file writes them, checked for keys nobody reads. A flow is loaded
 * without type checking, so `.parameter("alpha", { deafult: 0.1 })`, `{ foreeach: "items" }` or
 * `retry({ time: 5 })` would otherwise be dropped without a word and the flow run with defaults.
 */
import { closestName } from "../util/did-you-mean.js";

/**
 * The first key of `options` that is not one of `known`, and the hint naming the known key it most
 * likely meant: spelt the same but for case and `_` (Metaflow's `minutes_between_retries`), else
 * the closest in spelling. Undefined when every key is known.
 */
export function unknownOption(
  options: object,
  known: readonly string[],
): { key: string; hint: string } | undefined {
  const key = Object.keys(options).find((k) => !known.includes(k));
  if (key === undefined) return undefined;
  const loose = (name: string) => name.replaceAll("_", "").toLowerCase();
  const meant = known.find((k) => loose(k) === loose(key)) ?? closestName(key, known);
  return { key, hint: meant === undefined ? "" : ` (did you mean '${meant}'?)` };
}
