// Cards as HTML: a file that needs nothing else (styles and images inline, a policy that lets
// nothing load or run), hostile text escaped everywhere it can appear, and a component that cannot
// be drawn shown as a note while the rest of the card still renders.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { CardRecord } from "./card-record.js";
import { image, markdown, progress, table } from "./components.js";
import { cardDocument, MAX_TABLE_CELLS, renderCard } from "./render-html.js";

const EVIL = `"><script>alert(1)</script><img src=x onerror=alert(1)>`;

function card(components: unknown[], over: Partial<CardRecord> = {}): CardRecord {
  return {
    id: "default",
    final: true,
    updatedAt: "2024-05-01T10:11:12.000Z",
    components: components as never,
    ...over,
  };
}

describe("card HTML", () => {
  test("a document inlines everything and forbids fetches and scripts", () => {
    const html = cardDocument(
      [card([markdown("# Hi"), image("<svg xmlns='http://www.w3.org/2000/svg'/>", { alt: "a" })])],
      {
        pathspec: "F/1/s/0",
        attempt: 2,
      },
    );
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/,
    );
    assert.match(html, /<img src="data:image\/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="a">/);
    assert.match(html, /<style>[\s\S]*\.fs-card \{/);
    assert.doesNotMatch(html, /<script|<link|https?:\/\/(?!www\.w3\.org)/);
    assert.match(html, /<title>F\/1\/s\/0 \(attempt 2\)<\/title>/);
  });

  test("hostile text in titles, ids, tables, alt text and progress labels is escaped", () => {
    const html = renderCard(
      card(
        [table([{ [EVIL]: EVIL }]), image("<svg/>", { alt: EVIL }), progress(1, 2, EVIL), markdown(EVIL)],
        { title: EVIL },
      ),
    );
    assert.doesNotMatch(html, /<script|<img src=x/);
    for (const [, attributes] of html.matchAll(/<[a-z0-9]+((?:\s+[a-z-]+="[^"]*")*)\s*>/gi)) {
      const names = [...attributes!.matchAll(/\s([a-z-]+)="/gi)].map((m) => m[1]!);
      assert.ok(
        names.every((name) => !name.startsWith("on")),
        names.join(" "),
      );
    }
    assert.equal([...html.matchAll(/<img /g)].length, 1, "only the image component's own <img>");
  });

  test("a component that cannot be drawn becomes a note; the others still render", () => {
    const html = renderCard(
      card([{ type: "chart", spec: { mark: "pie" } }, { type: "mystery" }, markdown("still here")], {
        final: false,
      }),
    );
    assert.match(
      html,
      /data-component="error">This chart could not be drawn: chart\(\) draws a subset of Vega-Lite/,
    );
    assert.match(html, /This mystery could not be drawn/);
    assert.match(html, /<p>still here<\/p>/);
    assert.match(html, /live, updated 10:11:12 UTC/);
  });

  test("a failed attempt's card says so under its heading, the error escaped", () => {
    const html = renderCard(card([markdown("x")], { title: "T", failure: "Error: <b>boom</b>" }));
    assert.match(
      html,
      /<h2>T<\/h2>.*<\/div><p class="fs-card-failed">This attempt failed: Error: &lt;b&gt;boom&lt;\/b&gt;<\/p>/,
    );
    assert.doesNotMatch(renderCard(card([markdown("x")])), /fs-card-failed/);
  });

  test("a stored title or id that is not a string is drawn as text, not an error", () => {
    const html = renderCard(card([markdown("body")], { title: 42 as never }));
    assert.match(html, /<h2>42<\/h2>/);
    assert.match(renderCard(card([], { title: { a: "<b>" } as never })), /<h2>\[object Object\]<\/h2>/);
  });

  test("an empty table says it has no rows (naming its columns, escaped) instead of drawing nothing", () => {
    const html = renderCard(card([table([]), table([], { columns: ["epoch", EVIL] })]));
    assert.doesNotMatch(html, /<table>/);
    const notes = [...html.matchAll(/<p class="fs-muted">([^<]*)<\/p>/g)].map((m) => m[1]);
    assert.deepEqual(notes, [
      "An empty table: no rows.",
      `An empty table (columns epoch, &quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;): no rows.`,
    ]);
  });

  test("a card draws at most 50,000 table cells and says how many rows and columns it left out", () => {
    // given: two tables of 60,000 one-number rows, and a record of 3,000 columns
    const rows = table(
      Array.from({ length: 60_000 }, (_, i) => [i % 10]),
      { columns: ["n"] },
    );
    const wide = table([Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]))]);
    // when
    const html = renderCard(card([rows, rows, wide]));
    // then
    assert.equal(MAX_TABLE_CELLS, 50_000);
    const tables = html.split("<table>").slice(1);
    assert.deepEqual(
      tables.map((t) => [(t.match(/<th>/g) ?? []).length, (t.match(/<tr>/g) ?? []).length]),
      [
        [1, 1 + 49_999 + 1],
        [1, 1 + 0 + 1],
        [1, 1 + 0 + 1],
      ],
      "header, drawn rows and the note of each table",
    );
    const notes = [...html.matchAll(/<td class="fs-muted fs-table-more" colspan="1">([^<]*)<\/td>/g)].map(
      (m) => m[1],
    );
    const why = "not drawn (a card draws 50,000 table cells; the Client API's task.cards() has them all)";
    assert.deepEqual(notes, [
      `10,001 more rows ${why}`,
      `60,000 more rows ${why}`,
      `2,999 more columns and 1 more row ${why}`,
    ]);
    // and a table within the budget draws whole, without a note
    const small = renderCard(card([table([{ a: 1, b: 2 }])]));
    assert.doesNotMatch(small, /fs-table-more/);
  });

  test("a card's Markdown draws at most 10,000 blocks, the rest shown as text", () => {
    // when: 8,000 list items (each an item and its paragraph: two blocks), then a second component
    const lists = renderCard(card([markdown("- a\n".repeat(8000)), markdown("# b *c*")]));
    // and a Markdown table of 20,000 rows (its table one block, each row one)
    const rows = renderCard(card([markdown(`|x|\n|-|\n${"|1|\n".repeat(20_000)}`)]));
    // then: the list's first 5,000 items, then its text; the budget is the card's, so none for "# b"
    assert.equal(lists.split("<li>").length - 1, 5000);
    assert.ok(lists.includes(`</ul><p>${"- a\n".repeat(2999)}- a</p></div>`), "the rest of the list as text");
    assert.ok(lists.includes("<p># b *c*</p>"), "the next component as text");
    assert.equal(rows.split("<tr>").length - 1, 1 + 9999);
    assert.ok(rows.includes(`</table><p>${"|1|\n".repeat(10_000)}|1|</p>`));
  });
});
