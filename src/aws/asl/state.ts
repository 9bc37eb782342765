/**
 * What every state builder has in common: its ASL `Type` and a `toJson()` that renders it.
 *
 * @see https://states-language.net/#states-fields
 */
import type { JsonObject } from "./json.js";

export const STATE_TYPES = ["Task", "Parallel", "Map", "Pass", "Choice", "Fail"] as const;
export type StateType = (typeof STATE_TYPES)[number];

export interface AslState {
  readonly type: StateType;
  /** The names of the states this one can go to (Next, Choice targets, Catch targets). */
  targets(): string[];
  toJson(): JsonObject;
}
