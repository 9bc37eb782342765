// The cards' Markdown: the everyday CommonMark part renders, and nothing hostile in the text
// reaches the page as markup — no element, attribute or link target the renderer did not write.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { renderMarkdown } from "./markdown.js";
import { safeUrl } from "./markdown-inline.js";

const TAGS = new Set([
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "p",
  "em",
  "strong",
  "del",
  "code",
  "pre",
  "a",
  "ul",
  "ol",
  "li",
  "blockquote",
  "hr",
  "br",
  "table",
  "thead",
  "tbody",
  "tr",
  "th",
  "td",
]);
const ATTRIBUTES = new Set(["href", "rel", "target", "class", "start", "data-lang"]);

/** Every tag and attribute in `html` is one the renderer writes, and every href is safe. */
function assertOnlyOwnMarkup(html: string): void {
  for (const [, name, attributes] of html.matchAll(/<\/?([a-zA-Z0-9-]+)([^>]*)>/g)) {
    assert.ok(TAGS.has(name!.toLowerCase()), `unexpected <${name}> in ${html}`);
    for (const [, attribute, value] of attributes!.matchAll(/\s([^\s=]+)="([^"]*)"/g)) {
      assert.ok(ATTRIBUTES.has(attribute!), `unexpected attribute ${attribute} in ${html}`);
      if (attribute === "href") assert.match(value!, /^(https?:|mailto:|#)/i);
    }
    assert.doesNotMatch(attributes!, /\son\w+\s*=/i);
  }
}

describe("card Markdown", () => {
  test("renders headings, emphasis, code, links, lists, quotes, rules and tables", () => {
    const html = renderMarkdown(
      [
        "# Title",
        "Some *em*, **strong**, ~~gone~~ and `a < b` with [a link](https://example.com/x?a=1&b=2).",
        "",
        "- one",
        "- two",
        "  1. nested",
        "",
        "> quoted",
        "",
        "---",
        "",
        "| a | b |",
        "|---|--:|",
        "| 1 | 2 |",
        "",
        "```ts",
        "const x = <T>() => 1;",
        "```",
      ].join("\n"),
    );
    assert.equal(
      html,
      [
        "<h1>Title</h1>",
        '<p>Some <em>em</em>, <strong>strong</strong>, <del>gone</del> and <code>a &lt; b</code> with <a href="https://example.com/x?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">a link</a>.</p>',
        "<ul><li>one</li><li>two<ol><li>nested</li></ol></li></ul>",
        "<blockquote><p>quoted</p></blockquote>",
        "<hr>",
        '<table><thead><tr><th>a</th><th class="fs-align-right">b</th></tr></thead><tbody><tr><td>1</td><td class="fs-align-right">2</td></tr></tbody></table>',
        '<pre><code data-lang="ts">const x = &lt;T&gt;() =&gt; 1;</code></pre>',
      ].join(""),
    );
  });

  test("hostile text stays text: no script, no event attribute, no javascript: link", () => {
    const hostile = [
      "<script>alert(1)</script>",
      "<img src=x onerror=alert(1)>",
      '<a href="javascript:alert(1)">x</a>',
      "[click](javascript:alert(1)) [tab](java\tscript:alert(1)) [data](data:text/html,<script>alert(1)</script>)",
      '[quote](https://a.example/"onmouseover="alert(1))',
      "<javascript:alert(1)> <https://ok.example>",
      "**<svg onload=alert(1)>** `<b>`",
      "| <iframe> | x |\n|---|---|\n| <style>*{}</style> | y |",
      "![x](https://tracker.example/pixel.png)",
      "# <h1 onclick=alert(1)>",
    ].join("\n\n");
    const html = renderMarkdown(hostile);
    assertOnlyOwnMarkup(html);
    assert.doesNotMatch(html, /<script|<img|<svg|<iframe|<style|javascript:alert\(1\)"/i);
    assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.match(html, /<a href="https:\/\/ok.example"/);
  });

  test("link targets: balanced parentheses stay in the URL; a refused link leaves only its label", () => {
    const link = (href: string, label: string) =>
      `<a href="${href}" rel="noopener noreferrer" target="_blank">${label}</a>`;
    assert.equal(
      renderMarkdown(
        'See [Foo](https://en.wikipedia.org/wiki/Foo_(bar)), then [t](<https://x.example/a b> "T").',
      ),
      `<p>See ${link("https://en.wikipedia.org/wiki/Foo_(bar)", "Foo")}, then ${link("https://x.example/a%20b", "t")}.</p>`,
    );
    assert.equal(renderMarkdown("[js](javascript:alert(1)) after"), "<p>js after</p>");
    assert.equal(
      renderMarkdown("[u](https://x.example/(a) z"),
      "<p>[u](https://x.example/(a) z</p>",
      "unbalanced: no link",
    );
  });

  test("link targets: only http(s), mailto and # survive", () => {
    assert.equal(safeUrl("https://x.example"), "https://x.example");
    assert.equal(safeUrl("mailto:a@b.example"), "mailto:a@b.example");
    assert.equal(safeUrl("#section"), "#section");
    for (const bad of [
      "javascript:alert(1)",
      " JaVaScRiPt:alert(1)",
      "java\nscript:x",
      "data:text/html,x",
      "vbscript:x",
      "/relative",
      "//evil.example",
    ]) {
      assert.equal(safeUrl(bad), undefined, bad);
    }
  });
});

describe("markdown on hostile input", () => {
  // Each of these once took seconds to minutes (rescanning to the end from every `[` or `*`).
  test("unclosed brackets, emphasis, code spans and link targets render as text, in bounded output", () => {
    for (const text of [
      "[".repeat(200_000),
      "*a ".repeat(40_000),
      "[a](".repeat(50_000),
      "[a](x(".repeat(30_000),
      "``a".repeat(60_000),
      `x${" ".repeat(200_000)}y`,
    ]) {
      // Quadratic, these take minutes (the test's timeout); their speed is measured by benchmark 9.
      const html = renderMarkdown(text);
      assert.ok(html.startsWith("<p>") && html.endsWith("</p>"), `${JSON.stringify(text.slice(0, 8))}…`);
      assert.ok(
        html.length < 8 * text.length,
        `${JSON.stringify(text.slice(0, 8))}… drew ${html.length} chars`,
      );
      assertOnlyOwnMarkup(html);
    }
  });
});

describe("markdown nested deep", () => {
  /** How many times `tag` opens in `html`, checking it closes as often. */
  function opened(html: string, tag: string): number {
    const opens = html.split(`<${tag}>`).length - 1;
    assert.equal(html.split(`</${tag}>`).length - 1, opens, `<${tag}> balanced`);
    return opens;
  }

  test("5,000 levels of block quotes or list items: 32 levels are drawn, the rest is text", () => {
    // when: once blew the stack (one recursion per level) and reread each line at every level
    const quotes = renderMarkdown(`${">".repeat(5000)} x`);
    // then
    assert.equal(
      quotes,
      `${"<blockquote>".repeat(32)}<p>${"&gt;".repeat(5000 - 32)} x</p>${"</blockquote>".repeat(32)}`,
    );
    for (const [text, tags, rest] of [
      [`${"> ".repeat(5000)}x`, ["blockquote"], "&gt; "],
      [`${"- ".repeat(5000)}x`, ["ul", "li"], "- "],
      [`${"* ".repeat(5000)}x`, ["ul", "li"], "* "],
      [`${"1. ".repeat(5000)}x`, ["ol", "li"], "1. "],
    ] as const) {
      const html = renderMarkdown(text);
      for (const tag of tags) assert.equal(opened(html, tag), 32, `${text.slice(0, 6)}… <${tag}>`);
      assert.ok(
        html.includes(`${rest.repeat(5000 - 33)}${rest.trim()} x<`),
        `${text.slice(0, 6)}… keeps its text`,
      );
      assert.ok(html.length < 4 * text.length + 1000, `${text.slice(0, 6)}… output ${html.length} chars`);
    }
  });

  test("quotes and lists nested in each other, and a list indented level by level, stop at the same depth", () => {
    // when
    const mixed = renderMarkdown(`${"> - 1. ".repeat(2000)}x`);
    const stairs = renderMarkdown(
      Array.from({ length: 300 }, (_, i) => `${"  ".repeat(i)}- item ${i}`).join("\n"),
    );
    // then
    assert.deepEqual(
      ["blockquote", "ul", "ol", "li"].map((tag) => opened(mixed, tag)),
      [11, 11, 10, 21],
    );
    assert.equal(opened(stairs, "ul"), 32);
    assert.match(stairs, /<li>item 30<ul><li>item 31\n- item 32\n {2}- item 33\n/);
    assert.match(stairs, /- item 299<\/li>/);
    assertOnlyOwnMarkup(mixed + stairs);
  });

  test("lines that made the heading and table patterns backtrack render as they read", () => {
    const spaces = " ".repeat(200_000);
    assert.equal(renderMarkdown(`# a${spaces}b${spaces}`), `<h1>a${spaces}b</h1>`);
    assert.equal(renderMarkdown(`# ${"#".repeat(200_000)}b`), `<h1>${"#".repeat(200_000)}b</h1>`);
    assert.equal(renderMarkdown(`a|b\n${spaces}-${spaces}| x`), `<p>a|b\n${spaces}-${spaces}| x</p>`);
    assert.equal(renderMarkdown(`a|b\n-${spaces}x`), "<p>a|b</p><ul><li>x</li></ul>");
    // and the closing hashes of a heading, and a table's delimiter row, still read as before
    assert.deepEqual(
      ["## a ##", "### ###", "# a#", "#a"].map((text) => renderMarkdown(text)),
      ["<h2>a</h2>", "<h3></h3>", "<h1>a#</h1>", "<p>#a</p>"],
    );
    assert.equal(
      renderMarkdown("a | b\n:-- | --:\n1 | 2"),
      '<table><thead><tr><th class="fs-align-left">a</th><th class="fs-align-right">b</th></tr></thead><tbody><tr><td class="fs-align-left">1</td><td class="fs-align-right">2</td></tr></tbody></table>',
    );
  });
});
