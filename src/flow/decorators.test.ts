import assert from "node:assert/strict";
import { test } from "node:test";
import { isFlowshipError } from "../errors.js";
import { batch, card, parseDecoratorSpec } from "./decorators.js";

test("--with batch takes Metaflow's option names, snake_case too", () => {
  // when
  const parsed = parseDecoratorSpec(
    "batch:cpu=4,memory=16384,image=my/image:1,queue=big,iam_role=arn:aws:iam::1:role/job",
  );
  // then
  assert.deepEqual(parsed, {
    kind: "batch",
    options: { cpu: 4, memory: 16384, image: "my/image:1", queue: "big", iamRole: "arn:aws:iam::1:role/job" },
  });
  assert.deepEqual(parseDecoratorSpec("batch"), { kind: "batch", options: {} });
});

test("batch() refuses what Batch would: a bad size, an empty queue, an unknown option", () => {
  for (const bad of [() => batch({ memory: 0 }), () => batch({ queue: " " }), () => batch({ gpu: 1.5 })]) {
    assert.throws(bad, (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR");
  }
  assert.throws(
    () => parseDecoratorSpec("batch:shared_memory=1024"),
    (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_WITH",
  );
});

test("card() takes a title; --with card and card:title=… give every step a default card", () => {
  assert.deepEqual(parseDecoratorSpec("card"), { kind: "card", options: {} });
  assert.deepEqual(parseDecoratorSpec("card:title=Report"), { kind: "card", options: { title: "Report" } });
  assert.throws(
    () => card({ title: " " }),
    (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_DECORATOR",
  );
  assert.throws(
    () => parseDecoratorSpec("card:type=blank"),
    (error) => isFlowshipError(error) && error.code === "FS_FLOW_BAD_WITH",
  );
});
