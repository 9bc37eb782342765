// The run graph's layout (ui/app/graph-layout.ts) without a browser: text is measured as 7 px a
// character, so every size below follows from the names and notes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { caseLabel, layoutRunGraph, NOTE_FONT } from "./app/graph-layout.js";
import type { RunView } from "./views.js";

const measure = (text: string) => text.length * 7;
type Step = RunView["graph"][number];
const step = (name: string, type: Step["type"], next: string[], cases?: Record<string, string>): Step => ({
  name,
  type,
  next,
  ...(cases ? { cases } : {}),
});

/** Every node box inside the drawing, none overlapping another. */
function assertInside(layout: ReturnType<typeof layoutRunGraph>): void {
  const boxes = layout.nodes.map(({ step: s, size, box }) => ({
    name: s.name,
    left: box.x - size.width / 2,
    right: box.x + size.width / 2,
    top: box.y - size.height / 2,
    bottom: box.y + size.height / 2,
  }));
  for (const b of boxes) {
    assert.ok(b.left >= 0 && b.top >= 0 && b.right <= layout.width && b.bottom <= layout.height, b.name);
    for (const o of boxes) {
      if (o === b) continue;
      const apart = b.right <= o.left || o.right <= b.left || b.bottom <= o.top || o.bottom <= b.top;
      assert.ok(apart, `${b.name} overlaps ${o.name}`);
    }
  }
}

test("a split: ranks top to bottom, branches side by side, sizes from names and notes", () => {
  const graph = [
    step("start", "foreach", ["a_step_with_a_rather_long_name", "b"]),
    step("a_step_with_a_rather_long_name", "linear", ["join"]),
    step("b", "linear", ["join"]),
    step("join", "join", ["end"]),
    step("end", "end", []),
  ];
  const layout = layoutRunGraph(graph, new Map([["start", ["3 items"]]]), measure);
  const at = new Map(layout.nodes.map((n) => [n.step.name, n]));
  const y = (name: string) => at.get(name)!.box.y;
  // dagre writes its own fields onto the size it was given: compare the two that are ours.
  const size = (name: string) => ({ width: at.get(name)!.size.width, height: at.get(name)!.size.height });
  assert.ok(y("start") < y("b") && y("b") < y("join") && y("join") < y("end"));
  assert.equal(y("a_step_with_a_rather_long_name"), y("b"));
  assert.notEqual(at.get("a_step_with_a_rather_long_name")!.box.x, at.get("b")!.box.x);
  // At least 120 wide; else the name (or a foreach's widest breakdown) plus 28 of padding.
  assert.deepEqual(size("b"), { width: 120, height: 44 });
  assert.deepEqual(size("a_step_with_a_rather_long_name"), { width: 30 * 7 + 28, height: 44 });
  assert.deepEqual(size("start"), { width: "3 items · 0,000 pending".length * 7 + 28, height: 56 });
  assert.deepEqual(layout.edges.map((e) => `${e.v}->${e.w}`).sort(), [
    "a_step_with_a_rather_long_name->join",
    "b->join",
    "join->end",
    "start->a_step_with_a_rather_long_name",
    "start->b",
  ]);
  for (const edge of layout.edges) assert.ok(edge.points.length >= 2, `${edge.v}->${edge.w} is routed`);
  assertInside(layout);
});

test("a switch: edges labelled with their cases; a self-loop is drawn by hand and widens the drawing", () => {
  const graph = [
    step("start", "linear", ["retry"]),
    step("retry", "switch", ["retry", "end"], { again: "retry", yes: "end", ok: "end" }),
    step("end", "end", []),
  ];
  assert.equal(caseLabel(graph[1]!, "end"), "yes | ok");
  assert.equal(caseLabel(graph[0]!, "retry"), undefined);
  const layout = layoutRunGraph(graph, new Map(), measure);
  assert.deepEqual(
    layout.edges.map((e) => [`${e.v}->${e.w}`, e.label]),
    [
      ["start->retry", undefined],
      ["retry->end", "yes | ok"],
    ],
  );
  const retry = layout.nodes.find((n) => n.step.name === "retry")!;
  // The loop reaches 36 px right of the node, then its label "again" (5 × 7 px) and margins.
  assert.equal(layout.width, Math.ceil(retry.box.x + retry.size.width / 2 + 36 + 6 + 5 * 7 + 8));
  assertInside(layout);
});

test("the measure is asked for each name in the name font and each note in the note font", () => {
  const asked: string[] = [];
  layoutRunGraph(
    [step("start", "linear", ["end"]), step("end", "end", [])],
    new Map([["end", ["done"]]]),
    (text, font) => {
      asked.push(`${font === NOTE_FONT ? "note" : "name"}:${text}`);
      return 0;
    },
  );
  assert.deepEqual(asked.sort(), ["name:end", "name:start", "note:done"]);
});
