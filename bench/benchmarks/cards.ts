/**
 * 9: cards. What `current.card.append` costs a step — for a Markdown component and for a
 * 1,000-row table: the component is checked and measured against the card's size limit — and
 * drawing a card that holds a 1,000-row table as HTML (what `card get` and the UI's task page
 * do). The baseline of each is `JSON.stringify` of the same data: the least any design that
 * stores cards as JSON pays once per component. And how Markdown's time grows with hostile input
 * (deep nesting, long runs of `>`, `*`, `[`, lines of spaces): drawn at n and at 2n characters,
 * the ratio of the two times is 2 for a linear renderer and 4 for a quadratic one.
 */
import { type CardRecord, DEFAULT_CARD_ID } from "../../src/card/card-record.js";
import { markdown, table } from "../../src/card/components.js";
import { renderMarkdown } from "../../src/card/markdown.js";
import { renderCard } from "../../src/card/render-html.js";
import { TaskCards } from "../../src/card/task-cards.js";
import { medianOf, mediansOf, type Row } from "../measure.js";

/** Mean time of one call of `fn` over `calls` calls, in µs. */
async function perCall(calls: number, fn: () => void): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < calls; i++) fn();
  return ((performance.now() - start) * 1000) / calls;
}

/** Markdown of about `n` characters made of the inputs that classically make parsers quadratic. */
export function pathologicalMarkdown(n: number): string {
  const part = Math.floor(n / 10);
  const run = (unit: string) => unit.repeat(Math.floor(part / unit.length));
  return [
    `${run(">")} deep quote`,
    `${run("> ")}x`,
    `${run("- ")}x`,
    `${run("1. ")}x`,
    run("["),
    run("*a "),
    run("[a]("),
    `# a${run(" ")}b`,
    `a|b\n-${run(" ")}x`,
    run("`a``"),
  ].join("\n\n");
}

export async function cards(options: { quick: boolean }): Promise<Row[]> {
  const runs = options.quick ? 1 : 7;
  const calls = options.quick ? 50 : 1000;
  const text = markdown(
    "## Epoch 12\nLoss **0.081**, accuracy `0.946`: see [the run](https://example.com/run).",
  );
  const rows = table(
    Array.from({ length: 1000 }, (_, i) => ({ id: i, label: `item-${i}`, score: i / 1000, ok: i % 2 === 0 })),
  );
  const fresh = () => new TaskCards({ publish: async () => {}, where: "of step 'bench'" }).card();
  let card = fresh();
  const appendText = await medianOf(runs, () =>
    perCall(calls, () => {
      if (card.components.length >= 1000) card = fresh();
      card.append(text);
    }),
  );
  const stringifyText = await medianOf(runs, () => perCall(calls, () => JSON.stringify(text)));
  const appendTable = await medianOf(runs, () => perCall(options.quick ? 2 : 20, () => fresh().append(rows)));
  const stringifyTable = await medianOf(runs, () =>
    perCall(options.quick ? 2 : 20, () => JSON.stringify(rows)),
  );
  const record: CardRecord = {
    id: DEFAULT_CARD_ID,
    final: true,
    updatedAt: new Date().toISOString(),
    components: [text, rows],
  };
  const render = await medianOf(runs, () => perCall(options.quick ? 2 : 20, () => renderCard(record)));
  const stringifyCard = await medianOf(runs, () =>
    perCall(options.quick ? 2 : 20, () => JSON.stringify(record)),
  );
  const n = options.quick ? 20_000 : 200_000;
  const [atN, at2n] = [pathologicalMarkdown(n), pathologicalMarkdown(2 * n)];
  const [markdownN, markdown2n] = await mediansOf(runs, [
    () => perCall(1, () => renderMarkdown(atN)),
    () => perCall(1, () => renderMarkdown(at2n)),
  ]);
  const row = (
    figure: string,
    value: number,
    baseline: number,
    unit: string,
    target: string,
    limit: number,
  ): Row => ({
    id: 9,
    benchmark: "cards",
    figure,
    value,
    unit,
    baseline: "JSON.stringify of the same data",
    baselineValue: baseline,
    ratio: value / baseline,
    target,
    met: value <= limit,
  });
  return [
    row("current.card.append of a Markdown component", appendText, stringifyText, "µs", "≤ 50 µs", 50),
    row(
      "current.card.append of a 1,000-row table",
      appendTable / 1000,
      stringifyTable / 1000,
      "ms",
      "≤ 20 ms",
      20,
    ),
    row(
      "draw a card with a 1,000-row table as HTML",
      render / 1000,
      stringifyCard / 1000,
      "ms",
      "≤ 50 ms",
      50,
    ),
    {
      id: 9,
      benchmark: "cards",
      figure: `Markdown of hostile input: time at ${2 * n} characters / at ${n}`,
      value: markdown2n / markdownN,
      unit: "×",
      baseline: "a linear renderer",
      baselineValue: 2,
      ratio: markdown2n / markdownN / 2,
      target: "≤ 3× (quadratic: 4×)",
      met: markdown2n / markdownN <= 3,
      note: `${Math.round(markdownN / 1000)} ms at n`,
    },
  ];
}
