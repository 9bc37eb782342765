import type { ArtifactRef } from "../datastore/content-store.js";
import { FlowshipError } from "../errors.js";
import { unknownOption } from "../flow/option-keys.js";
import type { Artifacts, JoinInputs, Self } from "../flow/types.js";
import { inputRefs, scopeOf } from "./artifact-scope.js";

export interface MergeOptions {
  /** Only these artifacts; each must exist in some input. */
  include?: readonly string[];
  /** All artifacts but these. */
  exclude?: readonly string[];
}

/**
 * In a join: take over every artifact of the inputs that the join did not set itself, when all
 * inputs that have it agree on its value. Values are compared by content hash and taken by
 * reference, so nothing is loaded or copied.
 *
 * @example
 * .step("join", (self, inputs) => { mergeArtifacts(self, inputs, { exclude: ["score"] }); }, { join: true, next: "end" })
 */
export function mergeArtifacts<A extends Artifacts>(
  self: Self<A>,
  inputs: JoinInputs<A>,
  options: MergeOptions = {},
): void {
  const scope = scopeOf(self);
  if (!scope?.options.joinInputArtifacts || !Array.isArray(inputs)) {
    throw new FlowshipError(
      "FS_MERGE_OUTSIDE_JOIN",
      `mergeArtifacts(self, inputs) must be called in a join step with its self and inputs${scope ? `; step '${scope.options.step}' is not a join` : ""}.`,
    );
  }
  const step = scope.options.step;
  checkMergeOptions(options, step);
  if (options.include && options.exclude) {
    throw new FlowshipError("FS_MERGE_OPTIONS", "mergeArtifacts takes include or exclude, not both.");
  }
  const candidates = new Map<string, { ref: ArtifactRef; from: number }[]>();
  inputs.forEach((input, i) => {
    const refs = inputRefs(input as object);
    if (!refs)
      throw new FlowshipError(
        "FS_MERGE_OUTSIDE_JOIN",
        `mergeArtifacts in step '${step}' got inputs that are not a join's inputs.`,
      );
    for (const [name, ref] of Object.entries(refs)) {
      if (name in scope.options.parameters) continue;
      candidates.set(name, [...(candidates.get(name) ?? []), { ref, from: i }]);
    }
  });
  const missing = (options.include ?? []).filter((name) => !candidates.has(name));
  if (missing.length > 0) {
    throw new FlowshipError(
      "FS_MERGE_MISSING",
      `mergeArtifacts in join '${step}': no input has ${missing.map((m) => `'${m}'`).join(", ")}.`,
    );
  }
  // Nothing is taken over unless everything can be (Metaflow sets nothing after a failed merge).
  const adopted = new Map<string, ArtifactRef>();
  const conflicts: string[] = [];
  for (const [name, found] of candidates) {
    if (options.include && !options.include.includes(name)) continue;
    if (options.exclude?.includes(name)) continue;
    if (scope.assigned.has(name)) continue;
    if (found.some((f) => f.ref.hash !== found[0]!.ref.hash)) {
      conflicts.push(name);
      continue;
    }
    adopted.set(name, found[0]!.ref);
  }
  if (conflicts.length > 0) {
    throw new FlowshipError(
      "FS_MERGE_CONFLICT",
      `mergeArtifacts in join '${step}': the inputs disagree on ${conflicts.map((c) => `'${c}'`).join(", ")}; assign ${conflicts.length === 1 ? "it" : "them"} in the join or pass { exclude: [...] }.`,
    );
  }
  for (const [name, ref] of adopted) scope.adopted.set(name, ref);
}

/**
 * The options as an untyped flow file may give them: `{ exclude: "score" }` would exclude every
 * artifact whose name is part of "score" (a string's `includes`), and `{ excludes: [...] }` nothing.
 */
function checkMergeOptions(options: unknown, step: string): asserts options is MergeOptions {
  const bad = (what: string) =>
    new FlowshipError("FS_MERGE_OPTIONS", `mergeArtifacts in join '${step}': ${what}.`);
  if (typeof options !== "object" || options === null || Array.isArray(options))
    throw bad(`its options are an object such as { exclude: ["score"] }, got ${JSON.stringify(options)}`);
  const unknown = unknownOption(options, ["include", "exclude"]);
  if (unknown !== undefined)
    throw bad(`unknown option '${unknown.key}'${unknown.hint}; it takes include or exclude`);
  for (const key of ["include", "exclude"] as const) {
    const names = (options as MergeOptions)[key];
    if (names !== undefined && (!Array.isArray(names) || names.some((n) => typeof n !== "string")))
      throw bad(`'${key}' is a list of artifact names such as ["score"], got ${JSON.stringify(names)}`);
  }
}
