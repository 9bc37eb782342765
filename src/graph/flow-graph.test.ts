// FlowSpec → FlowGraph in process: node kinds, predecessors, the join each split meets, the splits
// around each step, foreach depth, loops, and an order that puts every step after what leads to it.
import assert from "node:assert/strict";
import { test } from "node:test";
import { flow } from "../flow/flow-builder.js";
import type { FlowGraph } from "./flow-graph.js";
import { validateFlow } from "./validate.js";

const noop = () => {};

/** Each node as `type prev→next [splitParents] depth loops`, for one readable comparison. */
function shape(graph: FlowGraph): Record<string, string> {
  return Object.fromEntries(
    [...graph.nodes.values()].map((n) => [
      n.name,
      `${n.type} ${n.prev.join(",")}→${n.next.join(",")} [${n.splitParents.join(",")}] ${n.foreachDepth}${n.loops.length > 0 ? ` loops:${n.loops.join(",")}` : ""}`,
    ]),
  );
}

function assertTopological(graph: FlowGraph, backEdges: readonly string[] = []): void {
  const at = new Map(graph.order.map((name, i) => [name, i]));
  for (const node of graph.nodes.values()) {
    for (const next of node.next) {
      if (backEdges.includes(`${node.name}->${next}`)) continue;
      assert.ok(
        at.get(node.name)! < at.get(next)!,
        `${node.name} before ${next} in ${graph.order.join(" ")}`,
      );
    }
  }
}

test("a static split: its join, the branch of each input, the split around each branch step", () => {
  const graph = validateFlow(
    flow("Split")
      .step("start", noop, { next: ["a", "b"] })
      .step("a", noop, { next: "join" })
      .step("b", noop, { next: "b2" })
      .step("b2", noop, { next: "join" })
      .step("join", noop, { join: true, next: "end" })
      .step("end", noop),
  );
  assert.deepEqual(shape(graph), {
    start: "split →a,b [] 0",
    a: "linear start→join [start] 0",
    b: "linear start→b2 [start] 0",
    b2: "linear b→join [start] 0",
    join: "join a,b2→end [] 0",
    end: "end join→ [] 0",
  });
  assert.equal(graph.nodes.get("start")!.matchingJoin, "join");
  assert.equal(graph.nodes.get("join")!.joins, "start");
  assert.deepEqual(graph.nodes.get("join")!.inputBranches, { a: 0, b2: 1 });
  assert.equal(graph.order[0], "start");
  assert.equal(graph.order.at(-1), "end");
  assertTopological(graph);
});

test("nested foreaches: the depth of each step, and a foreach join has no input branches", () => {
  const graph = validateFlow(
    flow("Nested")
      .step("start", noop, { foreach: "xs", next: "outer" })
      .step("outer", noop, { foreach: "ys", next: "inner" })
      .step("inner", noop, { next: "join_inner" })
      .step("join_inner", noop, { join: true, next: "join_outer" })
      .step("join_outer", noop, { join: true, next: "end" })
      .step("end", noop),
  );
  assert.deepEqual(shape(graph), {
    start: "foreach →outer [] 0",
    outer: "foreach start→inner [start] 1",
    inner: "linear outer→join_inner [start,outer] 2",
    join_inner: "join inner→join_outer [start] 1",
    join_outer: "join join_inner→end [] 0",
    end: "end join_outer→ [] 0",
  });
  assert.equal(graph.nodes.get("join_inner")!.joins, "outer");
  assert.equal(graph.nodes.get("join_outer")!.joins, "start");
  assert.equal(graph.nodes.get("join_outer")!.inputBranches, undefined);
  assertTopological(graph);
});

test("a switch that loops back: the loop's steps carry its header, the back edge is left out of the order", () => {
  const graph = validateFlow(
    flow("Loop")
      .step("start", noop, { next: "body" })
      .step("body", noop, { next: "check" })
      .step("check", noop, { condition: "again", next: { yes: "body", no: "end" } })
      .step("end", noop),
  );
  assert.deepEqual(shape(graph), {
    start: "linear →body [] 0",
    body: "linear start,check→check [] 0 loops:body",
    check: "switch body→body,end [] 0 loops:body",
    end: "end check→ [] 0",
  });
  assert.deepEqual(graph.order, ["start", "body", "check", "end"]);
  assert.deepEqual(
    graph.loops.map((loop) => [loop.header, [...loop.steps].sort()]),
    [["body", ["body", "check"]]],
  );
  assert.deepEqual(graph.nodes.get("check")!.spec.cases, { yes: "body", no: "end" });
  assertTopological(graph, ["check->body"]);
});

test("a loop around a foreach is left out of the loops of the steps inside the foreach", () => {
  const graph = validateFlow(
    flow("LoopAroundForeach")
      .step("start", noop, { next: "round" })
      .step("round", noop, { foreach: "xs", next: "item" })
      .step("item", noop, { next: "join" })
      .step("join", noop, { join: true, next: "check" })
      .step("check", noop, { condition: "again", next: { true: "round", false: "end" } })
      .step("end", noop),
  );
  // The item's task id already carries the iteration through its foreach's task id.
  assert.deepEqual(shape(graph), {
    start: "linear →round [] 0",
    round: "foreach start,check→item [] 0 loops:round",
    item: "linear round→join [round] 1",
    join: "join item→check [] 0 loops:round",
    check: "switch join→round,end [] 0 loops:round",
    end: "end check→ [] 0",
  });
  assertTopological(graph, ["check->round"]);
});
