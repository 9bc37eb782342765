/**
 * The items a foreach fans out over: the checks a step's foreach value must pass, the same when
 * the foreach step ends (its width) and when a task in its body reads its own item.
 */
import { FlowshipError } from "../errors.js";
import type { StepSpec } from "../flow/types.js";
import type { ForeachLimit } from "./task-spec.js";

export class ForeachError extends FlowshipError {}

export function foreachItems(value: unknown, step: StepSpec, limit: ForeachLimit | undefined): unknown[] {
  const name = step.foreach!;
  if (value === undefined) {
    throw new ForeachError(
      "FS_FOREACH_MISSING",
      `Foreach of step '${step.name}' needs the artifact '${name}', but it was never set; assign self.${name} = [...] before the step ends.`,
    );
  }
  // A string is iterable (its characters), as in Metaflow; null and plain objects are not.
  if (
    value === null ||
    (typeof value !== "string" && typeof (value as Iterable<unknown>)[Symbol.iterator] !== "function")
  ) {
    throw new ForeachError(
      "FS_FOREACH_NOT_ITERABLE",
      `Foreach of step '${step.name}' needs '${name}' to be an array or other iterable, but it is ${value === null ? "null" : typeof value}.`,
    );
  }
  const items = Array.isArray(value) ? value : Array.from(value as Iterable<unknown> | string);
  if (items.length === 0) {
    throw new ForeachError(
      "FS_FOREACH_EMPTY",
      `Foreach of step '${step.name}' over '${name}' has no items; a foreach needs at least one.`,
    );
  }
  if (limit && items.length > limit.maxWidth) {
    const n = (count: number) => count.toLocaleString("en-US");
    throw new ForeachError(
      "FS_FOREACH_TOO_WIDE",
      `Foreach of step '${step.name}' over '${name}' has ${n(items.length)} items, more than the ${n(limit.maxWidth)} ${limit.why}; none of them was started. ${limit.remedy}`,
    );
  }
  return items;
}
