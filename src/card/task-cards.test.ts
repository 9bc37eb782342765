// The cards of a running task: refresh publishes at once, then at most once per interval (calls in
// between fold into one write), finish publishes every card final, a card over its size limit is
// refused at append, and a store that fails never fails the step.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { type CardRecord, MAX_CARD_BYTES } from "./card-record.js";
import { markdown, progress, table } from "./components.js";
import { TaskCards } from "./task-cards.js";

function collecting(options: { fail?: boolean; interval?: number; summary?: boolean } = {}) {
  const written: CardRecord[] = [];
  const warnings: string[] = [];
  const cards = new TaskCards({
    where: "of step 'train'",
    refreshIntervalMs: options.interval ?? 60_000,
    warn: (line) => warnings.push(line),
    ...(options.summary ? { summary: () => [markdown("summary")] } : {}),
    publish: async (record) => {
      if (options.fail) throw new Error("disk full");
      written.push(structuredClone(record));
    },
  });
  return { cards, written, warnings };
}

describe("task cards", () => {
  test("refresh writes at once, folds later calls into one waiting write, and finish supersedes it", async () => {
    const { cards, written } = collecting();
    const card = cards.card();
    card.append(markdown("one"));
    await card.refresh();
    card.append(markdown("two"));
    const waiting = card.refresh();
    const same = card.refresh();
    assert.equal(written.length, 1, "the second refresh waits for the interval");
    await cards.finish();
    await Promise.all([waiting, same]);
    assert.deepEqual(
      written.map((r) => [r.id, r.final, r.components.length]),
      [
        ["default", false, 1],
        ["default", true, 2],
      ],
    );
  });

  test("a waiting refresh writes once its interval has passed", async () => {
    const { cards, written } = collecting({ interval: 30 });
    const card = cards.card();
    await card.append(markdown("one")).refresh();
    await card.append(markdown("two")).refresh();
    assert.deepEqual(
      written.map((r) => r.components.length),
      [1, 2],
    );
  });

  test("several cards by id; only cards with something to show are written; the summary leads the default card", async () => {
    const { cards, written } = collecting({ summary: true });
    cards
      .card()
      .get("metrics", { title: "Metrics" })
      .append(table([{ a: 1 }]));
    cards.card("empty");
    await cards.finish();
    assert.deepEqual(written.map((r) => [r.id, r.title, r.components.map((c) => c.type)]).sort(), [
      ["default", undefined, ["markdown"]],
      ["metrics", "Metrics", ["table"]],
    ]);
    assert.throws(
      () => cards.card("../x"),
      (e: Error & { code?: string }) => e.code === "FS_CARD_BAD_ID",
    );
  });

  test("a card over the limit is refused at append with the limit in the message", () => {
    const { cards } = collecting();
    const big = "x".repeat(MAX_CARD_BYTES / 2);
    cards.card().append(markdown(big));
    assert.throws(
      () => cards.card().append(markdown(big)),
      (e: Error & { code?: string }) =>
        e.code === "FS_CARD_TOO_LARGE" && /more than the 2 MiB a card may hold/.test(e.message),
    );
    assert.equal(cards.card().components.length, 1);
  });

  test("a component over the limit by itself is told to shrink, not to move to a card of its own", () => {
    const { cards } = collecting();
    assert.throws(
      () =>
        cards
          .card("other")
          .append(table(Array.from({ length: 50_000 }, (_, i) => ({ i, text: "y".repeat(40) })))),
      (e: Error & { code?: string }) => {
        assert.equal(e.code, "FS_CARD_TOO_LARGE");
        assert.match(
          e.message,
          /^A table component of 2\.\d MiB cannot go on card 'other' of step 'train': no card may hold more than 2 MiB; shrink the table \(fewer rows\)\.$/,
        );
        return true;
      },
    );
  });

  test("a component grown past the limit after append is not stored; the last good version stays", async () => {
    const { cards, written, warnings } = collecting({ interval: 0 });
    const text = { type: "markdown" as const, text: "small" };
    const bar = progress(1, 10, "step");
    await cards.card().append(text).append(bar).refresh();
    (text as { text: string }).text = "x".repeat(3 * 2 ** 20);
    await cards.card().refresh();
    (text as { text: string }).text = "small";
    bar.update(2, "y".repeat(MAX_CARD_BYTES));
    await cards.finish();
    assert.equal(written.length, 1, "only the version within the limit was stored");
    assert.equal((written[0]!.components[0] as { text: string }).text, "small");
    assert.equal(warnings.length, 1);
    assert.match(
      warnings[0]!,
      /^Card 'default' of step 'train' could not be stored: it holds 3 MiB, more than the 2 MiB a card may hold \(a component grew after it was appended\)\. The step goes on\.$/,
    );
  });

  test("a store that fails is reported once and never throws", async () => {
    const { cards, warnings } = collecting({ fail: true });
    await cards.card().append(markdown("x")).refresh();
    await cards.finish();
    assert.deepEqual(warnings, [
      "Card 'default' of step 'train' could not be stored: disk full. The step goes on.",
    ]);
  });
});

describe("task cards refuse bad input whole", () => {
  test("extend checks every component before adding any", () => {
    const { cards } = collecting();
    const big = markdown("x".repeat(MAX_CARD_BYTES));
    assert.throws(
      () => cards.card().extend([markdown("a"), markdown("b"), big]),
      (e: Error & { code?: string }) => e.code === "FS_CARD_TOO_LARGE",
    );
    assert.equal(cards.card().components.length, 0, "a and b were not kept");
    cards.card().extend([markdown("a"), markdown("b")]);
    assert.equal(cards.card().components.length, 2);
  });

  test("a title that is not a string is refused at get() with a one-line error", () => {
    const { cards } = collecting();
    assert.throws(
      () => cards.card().get("metrics", { title: 42 as never }),
      (e: Error & { code?: string }) =>
        e.code === "FS_CARD_BAD_COMPONENT" &&
        e.message === `A card's title is a string, got number for card "metrics" of step 'train'.`,
    );
  });

  test("a hand-made component JSON cannot hold is refused at append, and reported in one line if it gets one later", async () => {
    // given
    const { cards, written, warnings } = collecting({ interval: 0 });
    const rows: unknown[][] = [[1]];
    const made = { type: "table", columns: ["n"], rows } as never;
    // when / then: at append, one line naming the card
    assert.throws(
      () => cards.card().append({ type: "table", columns: ["n"], rows: [[2n]] } as never),
      (e: Error & { code?: string }) =>
        e.code === "FS_CARD_BAD_COMPONENT" &&
        e.message ===
          "A table component of card 'default' takes data a card can store as JSON (numbers, strings, booleans, null, arrays and records): Do not know how to serialize a BigInt.",
    );
    // when: a component that took a cycle after append
    await cards.card().append(made).refresh();
    rows.push(rows);
    await cards.finish();
    // then: the last good version stays, and the warning is one line
    assert.deepEqual(
      written.map((r) => r.components),
      [[{ type: "table", columns: ["n"], rows: [[1]] }]],
    );
    assert.deepEqual(warnings, [
      "Card 'default' of step 'train' could not be stored: A component of card 'default' takes data a card can store as JSON (numbers, strings, booleans, null, arrays and records): Converting circular structure to JSON. The step goes on.",
    ]);
  });
});
