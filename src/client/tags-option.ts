/**
 * The `{ tags }` option of `flow.runs()`, `run.steps()` and `step.tasks()`, checked: a script runs
 * without type checking, and Metaflow's spelling `flow.runs("nightly")` would otherwise list every
 * run, as if no filter had been asked for.
 */
import { ClientOptionsError } from "./errors.js";

/** The tags to filter by: `options.tags`, or none; anything else is refused, naming the method. */
export function tagsOption(method: string, options: unknown): readonly string[] {
  if (typeof options === "string" || Array.isArray(options)) {
    const tags = [options].flat().map((t) => JSON.stringify(t));
    const call = (list: string) => method.replace("()", `(${list})`);
    throw new ClientOptionsError(
      method,
      `tags go in an object: ${call(`{ tags: [${tags.join(", ")}] }`)} (Metaflow's ${call(tags.join(", "))})`,
    );
  }
  if (typeof options !== "object" || options === null)
    throw new ClientOptionsError(
      method,
      `expected { tags: [...] }, got ${options === null ? "null" : typeof options}`,
    );
  const unknown = Object.keys(options).filter((key) => key !== "tags");
  if (unknown.length > 0)
    throw new ClientOptionsError(
      method,
      `unknown option ${unknown.map((k) => `'${k}'`).join(", ")}; it takes { tags: [...] }`,
    );
  const { tags } = options as { tags?: unknown };
  if (tags === undefined) return [];
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== "string"))
    throw new ClientOptionsError(method, "tags must be an array of strings");
  return tags as string[];
}
