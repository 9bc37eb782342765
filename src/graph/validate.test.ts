// The lint rules in process, without the CLI: each rule on a flow that breaks it (the codes of every
// issue reported), the staging that keeps shape rules off a graph whose transitions are broken, and
// the step's file:line on each issue. test/integration/validation.test.ts checks the CLI's wording.
import assert from "node:assert/strict";
import fs from "node:fs";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { catchError, retry } from "../flow/decorators.js";
import { type Flow, flow } from "../flow/flow-builder.js";
import { formatIssue } from "./errors.js";
import { lintFlow, validateFlow } from "./validate.js";

const noop = () => {};
/** A flow with a valid name, for the cases that break something else. */
const f = (name = "Case"): Flow => flow(name);

const CASES: [name: string, build: () => Flow, codes: string[]][] = [
  ["no start", () => f().step("begin", noop, { next: "end" }).step("end", noop), ["FS_GRAPH_NO_START"]],
  ["no end", () => f().step("start", noop, { next: "finish" }).step("finish", noop), ["FS_GRAPH_NO_END"]],
  [
    "next names no step",
    () => f().step("start", noop, { next: "nowhere" }).step("end", noop),
    ["FS_GRAPH_UNKNOWN_STEP"],
  ],
  [
    "a step defined twice",
    () =>
      f()
        .step("start", noop, { next: "a" })
        .step("a", noop, { next: "end" })
        .step("a", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_DUPLICATE_STEP"],
  ],
  [
    "a step without next",
    () => f().step("start", noop, { next: "a" }).step("a", noop).step("end", noop),
    ["FS_GRAPH_MISSING_NEXT"],
  ],
  [
    "end with a next step",
    () =>
      f()
        .step("start", noop, { next: "end" })
        .step("end", noop, { next: "start" } as never),
    ["FS_GRAPH_END_HAS_NEXT"],
  ],
  [
    "back into start",
    () => f().step("start", noop, { next: "a" }).step("a", noop, { next: "start" }).step("end", noop),
    ["FS_GRAPH_START_HAS_INCOMING"],
  ],
  [
    "the same next twice",
    () =>
      f()
        .step("start", noop, { next: ["a", "a"] })
        .step("a", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_DUPLICATE_NEXT"],
  ],
  [
    "a foreach to two steps",
    () =>
      f()
        .step("start", noop, { foreach: "xs", next: ["a", "b"] })
        .step("a", noop, { next: "join" })
        .step("b", noop, { next: "join" })
        .step("join", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_BAD_FOREACH"],
  ],
  [
    "a foreach over a name that is no artifact name",
    () =>
      f()
        .step("start", noop, { foreach: "no-dash", next: "a" })
        .step("a", noop, { next: "join" })
        .step("join", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_BAD_FOREACH"],
  ],
  [
    "a join that splits",
    () =>
      f()
        .step("start", noop, { next: ["a", "b"] })
        .step("a", noop, { next: "join" })
        .step("b", noop, { next: "join" })
        .step("join", noop, { join: true, next: ["c", "d"] } as never)
        .step("c", noop, { next: "end" })
        .step("d", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_JOIN_AND_SPLIT"],
  ],
  [
    "start as a join",
    () => f().step("start", noop, { join: true, next: "end" }).step("end", noop),
    ["FS_GRAPH_JOIN_WITHOUT_SPLIT"],
  ],
  [
    "an unreachable step",
    () => f().step("start", noop, { next: "end" }).step("orphan", noop, { next: "end" }).step("end", noop),
    ["FS_GRAPH_UNREACHABLE"],
  ],
  [
    "a split straight into its join",
    () =>
      f()
        .step("start", noop, { next: ["a", "join"] })
        .step("a", noop, { next: "join" })
        .step("join", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_EMPTY_BRANCH"],
  ],
  [
    "branches meeting without a join",
    () =>
      f()
        .step("start", noop, { next: ["a", "b"] })
        .step("a", noop, { next: "end" })
        .step("b", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_NOT_A_JOIN"],
  ],
  [
    "a foreach never joined",
    () =>
      f()
        .step("start", noop, { foreach: "xs", next: "a" })
        .step("a", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_UNJOINED_SPLIT"],
  ],
  [
    "a join of branches from different splits",
    () =>
      f()
        .step("start", noop, { next: ["a", "b"] })
        .step("a", noop, { next: ["a1", "a2"] })
        .step("a1", noop, { next: "join" })
        .step("a2", noop, { next: "join_a" })
        .step("b", noop, { next: "join" })
        .step("join", noop, { join: true, next: "join_a" })
        .step("join_a", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_JOIN_UNRELATED"],
  ],
  [
    "a join missing a branch of its split",
    () =>
      f()
        .step("start", noop, { next: ["a", "b", "c"] })
        .step("a", noop, { next: "j" })
        .step("b", noop, { next: "j" })
        .step("c", noop, { next: "d" })
        .step("j", noop, { join: true, next: "d" })
        .step("d", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_JOIN_MISMATCH"],
  ],
  [
    "a loop without a switch",
    () =>
      f()
        .step("start", noop, { next: "a" })
        .step("a", noop, { next: "b" })
        .step("b", noop, { next: ["a", "end"] })
        .step("end", noop),
    ["FS_GRAPH_CYCLE"],
  ],
  [
    "a loop with no case out",
    () =>
      f()
        .step("start", noop, { next: "a" })
        .step("a", noop, { condition: "c", next: { x: "b", y: "a" } })
        .step("b", noop, { next: "a" })
        .step("end", noop),
    ["FS_GRAPH_ENDLESS_LOOP"],
  ],
  [
    "a switch with one case",
    () =>
      f()
        .step("start", noop, { condition: "c", next: { x: "end" } })
        .step("end", noop),
    ["FS_GRAPH_BAD_SWITCH"],
  ],
  [
    "a switch that is also a foreach",
    () =>
      f()
        .step("start", noop, { condition: "c", foreach: "xs", next: { x: "a", y: "end" } })
        .step("a", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_SWITCH_AND_SPLIT"],
  ],
  [
    "a switch into a join",
    () =>
      f()
        .step("start", noop, { next: ["a", "b"] })
        .step("a", noop, { condition: "c", next: { x: "join", y: "a2" } })
        .step("a2", noop, { next: "join" })
        .step("b", noop, { next: "join" })
        .step("join", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_SWITCH_TO_JOIN"],
  ],
  [
    "a loop entered at two steps",
    () =>
      f()
        .step("start", noop, { next: ["a", "b"] })
        .step("a", noop, { next: "b" })
        .step("b", noop, { condition: "c", next: { x: "a", y: "end" } })
        .step("end", noop),
    ["FS_GRAPH_LOOP_ENTRIES"],
  ],
  [
    "a loop from inside a foreach back to before it",
    () =>
      f()
        .step("start", noop, { next: "fan" })
        .step("fan", noop, { foreach: "xs", next: "item" })
        .step("item", noop, { condition: "c", next: { x: "fan", y: "join" } })
        .step("join", noop, { join: true, next: "end" })
        .step("end", noop),
    ["FS_GRAPH_LOOP_LEAVES_SPLIT"],
  ],
  [
    "catchError on a foreach and on a switch",
    () =>
      f()
        .step("start", noop, { foreach: "xs", next: "item", decorators: [catchError()] })
        .step("item", noop, { next: "join" })
        .step("join", noop, { join: true, next: "pick" })
        .step("pick", noop, { condition: "c", next: { x: "end", y: "start2" }, decorators: [catchError()] })
        .step("start2", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_CATCH_ON_FOREACH", "FS_GRAPH_CATCH_ON_SWITCH"],
  ],
  [
    "a decorator twice",
    () =>
      f()
        .step("start", noop, { next: "end", decorators: [retry(), retry()] })
        .step("end", noop),
    ["FS_GRAPH_DUPLICATE_DECORATOR"],
  ],
  [
    "a reserved step name",
    () => f().step("start", noop, { next: "input" }).step("input", noop, { next: "end" }).step("end", noop),
    ["FS_GRAPH_RESERVED_NAME"],
  ],
  [
    "a step name with a capital",
    () => f().step("start", noop, { next: "Middle" }).step("Middle", noop, { next: "end" }).step("end", noop),
    ["FS_GRAPH_BAD_STEP_NAME"],
  ],
  [
    "a flow name that starts with a digit",
    () => f("1Flow").step("start", noop, { next: "end" }).step("end", noop),
    ["FS_GRAPH_BAD_FLOW_NAME"],
  ],
  [
    "parameters: a bad name, one twice, required with a default",
    () =>
      f()
        .parameter("bad-name", { default: 1 })
        .parameter("alpha", { default: 1 })
        .parameter("ALPHA", { default: 2 })
        .parameter("beta", { required: true, default: 3 })
        .step("start", noop, { next: "end" })
        .step("end", noop),
    ["FS_GRAPH_BAD_PARAMETER_NAME", "FS_GRAPH_DUPLICATE_PARAMETER", "FS_GRAPH_REQUIRED_WITH_DEFAULT"],
  ],
];

for (const [name, build, codes] of CASES) {
  test(`lint: ${name}`, () => {
    const spec = build();
    assert.deepEqual(
      lintFlow(spec).map((issue) => issue.code),
      codes,
    );
    assert.throws(() => validateFlow(spec), { code: codes[0] });
  });
}

test("lint: a valid flow has no issue", () => {
  const spec = f()
    .step("start", noop, { next: ["a", "b"] })
    .step("a", noop, { next: "join" })
    .step("b", noop, { next: "join" })
    .step("join", noop, { join: true, next: "end" })
    .step("end", noop);
  assert.deepEqual(lintFlow(spec), []);
});

test("lint: a broken transition keeps the shape rules from running on the graph", () => {
  // The orphan is unreachable too, but a shape rule would walk a `next` that names no step.
  const spec = f()
    .step("start", noop, { next: "nowhere" })
    .step("orphan", noop, { next: "end" })
    .step("end", noop);
  assert.deepEqual(
    lintFlow(spec).map((issue) => issue.code),
    ["FS_GRAPH_UNKNOWN_STEP"],
  );
});

test("lint: an issue names the step's file and line, and every issue is in the error", () => {
  const source = fs.readFileSync(fileURLToPath(import.meta.url), "utf8").split("\n");
  const spec = f("Located")
    .step("start", noop, { next: "a" })
    .step("a", noop) // <- no next
    .step("end", noop, { next: "a" } as never); // <- end with a next
  const issues = lintFlow(spec);
  const lines = source.flatMap((text, i) =>
    text.includes("// <-") && !text.includes("includes") ? [i + 1] : [],
  );
  assert.deepEqual(
    issues.map((issue) => [issue.code, issue.location?.line]),
    [
      ["FS_GRAPH_MISSING_NEXT", lines[0]],
      ["FS_GRAPH_END_HAS_NEXT", lines[1]],
    ],
  );
  assert.equal(
    formatIssue(issues[0]!),
    `${fileURLToPath(import.meta.url)}:${lines[0]}: Step 'a' has no next step; add { next: "…" } (only 'end' may finish the flow) (flow 'Located')`,
  );
  assert.throws(
    () => validateFlow(spec),
    (error: Error) => error.message.startsWith("Flow 'Located' breaks 2 rules:\n"),
  );
});
