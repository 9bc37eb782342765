// What a task's cards say about the task: the card() summary counts foreach items from 1 and shows
// the item, the default card is headed by its task when card() gives no title, and the final cards
// of a failed attempt say so with the error's first line.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CardRecord } from "../card/card-record.js";
import type { MarkdownComponent } from "../card/components.js";
import type { FlowStore } from "../datastore/flow-store.js";
import { card } from "../flow/decorators.js";
import type { FlowSpec, StepSpec } from "../flow/types.js";
import { defaultCardSummary, openTaskCards } from "./task-cards-setup.js";
import type { TaskSpec } from "./task-spec.js";

const train = { name: "train", next: ["join"], decorators: [] } as unknown as StepSpec;
const flow = {
  name: "F",
  steps: [{ name: "start", next: ["train"], foreach: "items" }, train],
} as unknown as FlowSpec;
const spec = (over: Partial<TaskSpec> = {}) =>
  ({
    flow: "F",
    runId: "1",
    step: "train",
    taskId: "4",
    attempt: 0,
    decorators: [],
    foreachStack: [],
    ...over,
  }) as TaskSpec;

function opened(over: Partial<TaskSpec>) {
  const written: CardRecord[] = [];
  const store = {
    writeCard: async (_run: string, _step: string, _task: string, _attempt: number, record: CardRecord) => {
      written.push(record);
    },
  } as unknown as FlowStore;
  const { cards } = openTaskCards({ flow, step: train, spec: spec(over), store, parameters: {} });
  return { cards, written };
}

describe("task cards setup", () => {
  test("the summary counts foreach items from 1, says so, and shows the item, shortened", () => {
    const summary = (item: unknown) =>
      (
        defaultCardSummary({
          flow,
          step: train,
          spec: spec({ foreachStack: [{ step: "start", index: 1, numSplits: 2 }] }),
          store: {} as FlowStore,
          parameters: {},
          artifacts: undefined,
          item: () => item,
        })[0] as MarkdownComponent
      ).text;
    assert.equal(
      summary("dog"),
      "**Task** `F/1/train/4`, attempt 0\n\n**Foreach** item 2 of 2 of foreach 'start' (counted from 1; `self.index` is 1): ` \"dog\" `",
    );
    assert.match(summary("x".repeat(500)), /: ` "x{58}… `$/);
  });

  test("the default card is headed by its task unless card() titles it", async () => {
    const plain = opened({});
    plain.cards.card().append({ type: "markdown", text: "x" });
    await plain.cards.finish();
    const titled = opened({ decorators: [card({ title: "Report" })] });
    await titled.cards.finish();
    assert.deepEqual(
      [...plain.written, ...titled.written].map((r) => r.title),
      ["Task train/4", "Report"],
    );
  });

  test("the final cards of a failed attempt carry the error's first line", async () => {
    const { cards, written } = opened({ decorators: [card()] });
    await cards.card().refresh();
    await cards.finish({ failure: { type: "TypeError", message: "x is not a function\n    at stack" } });
    assert.deepEqual(
      written.map((r) => [r.final, r.failure]),
      [
        [false, undefined],
        [true, "TypeError: x is not a function"],
      ],
    );
  });
});
