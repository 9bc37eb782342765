/**
 * Markdown to HTML for cards, safe by construction: every character of the text is escaped and
 * only the markup this renderer writes itself reaches the page, so raw HTML in the text — a
 * `<script>`, an `onerror=` — is shown as text, never parsed. Links keep only http(s), mailto and
 * `#` targets (a `javascript:` link becomes its plain label). Covers CommonMark's everyday part:
 * headings, paragraphs, emphasis, strike, code spans and fenced or indented code, links, block
 * quotes, nested lists, rules and GitHub tables. Images are links: a card draws images with image().
 */
import { escapeHtml } from "./escape.js";
import { renderInline } from "./markdown-inline.js";

// The block patterns are read once per line, and some once per line of every paragraph: none may
// backtrack over a run of spaces (a `\s*$` after a `\s+` is quadratic on a line of spaces), so
// headings and table delimiters are read by the functions below, not by a pattern that ends in `$`.
const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)/;
const RULE = /^ {0,3}([-*_])(?:\s*\1){2,}\s*$/;
const LIST_ITEM = /^( {0,3})([-*+]|\d{1,9}[.)])(\s+|$)/;

/** An ATX heading (`## Title ##`): its level and text, or undefined for a line that is not one. */
function heading(line: string): { level: number; text: string } | undefined {
  const open = /^ {0,3}(#{1,6})(?=\s|$)/.exec(line);
  if (!open) return undefined;
  let text = line.slice(open[0].length).trim();
  // A closing run of `#`, when all `#` or after a space, is not part of the text.
  let start = text.length;
  while (text[start - 1] === "#") start--;
  if (start < text.length && (start === 0 || /\s/.test(text[start - 1]!)))
    text = text.slice(0, start).trimEnd();
  return { level: open[1]!.length, text };
}

/** A table's delimiter row: cells of dashes with optional `:` (alignment), between pipes. */
function isTableDelimiter(line: string): boolean {
  const row = line.trim().replace(/^\|/, "").replace(/\|$/, "");
  return row.split("|").every((cell) => /^:?-+:?$/.test(cell.trim()));
}

function cells(line: string): string[] {
  const trimmed = line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "");
  return trimmed.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, "|"));
}

function startsBlock(line: string, next: string | undefined): boolean {
  return (
    FENCE.test(line) ||
    heading(line) !== undefined ||
    RULE.test(line) ||
    /^ {0,3}>/.test(line) ||
    LIST_ITEM.test(line) ||
    (line.includes("|") && next !== undefined && isTableDelimiter(next))
  );
}

/** The lines of one list item after its first: indented ones, and lazy paragraph continuations. */
function itemLines(lines: string[], start: number, indent: number): number {
  let i = start;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === "") {
      const next = lines[i + 1];
      if (next === undefined || next.search(/\S/) < indent) break;
    } else if (
      line.search(/\S/) < indent &&
      (startsBlock(line, lines[i + 1]) || lines[i - 1]?.trim() === "")
    ) {
      break;
    }
    i++;
  }
  return i;
}

function list(
  lines: string[],
  start: number,
  depth: number,
  budget: BlockBudget,
): { html: string; end: number } {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const ordered = /\d/.test(first[2]!);
  const items: string[] = [];
  let i = start;
  while (i < lines.length) {
    const match = LIST_ITEM.exec(lines[i]!);
    if (!match || /\d/.test(match[2]!) !== ordered || (items.length > 0 && budget.blocks <= 0)) break;
    budget.blocks--;
    const indent = match[0].length;
    const end = itemLines(lines, i + 1, indent);
    const body = [
      lines[i]!.slice(indent),
      ...lines.slice(i + 1, end).map((l) => l.replace(new RegExp(`^ {0,${indent}}`), "")),
    ];
    const html = renderBlocks(body, depth + 1, budget);
    // In a tight item (no blank line in it) the first paragraph is shown without its <p>.
    const tight = !body.some((l) => l.trim() === "");
    items.push(`<li>${tight ? html.replace(/^<p>([\s\S]*?)<\/p>/, "$1") : html}</li>`);
    i = end;
    while (lines[i]?.trim() === "" && LIST_ITEM.test(lines[i + 1] ?? "")) i++;
  }
  const startAt =
    ordered && Number.parseInt(first[2]!, 10) !== 1 ? ` start="${Number.parseInt(first[2]!, 10)}"` : "";
  return { html: ordered ? `<ol${startAt}>${items.join("")}</ol>` : `<ul>${items.join("")}</ul>`, end: i };
}

function tableBlock(lines: string[], start: number, budget: BlockBudget): { html: string; end: number } {
  const header = cells(lines[start]!);
  const align = cells(lines[start + 1]!).map((c) =>
    c.startsWith(":") && c.endsWith(":")
      ? "center"
      : c.endsWith(":")
        ? "right"
        : c.startsWith(":")
          ? "left"
          : "",
  );
  const style = (i: number) => (align[i] ? ` class="fs-align-${align[i]}"` : "");
  let i = start + 2;
  const rows: string[] = [];
  while (i < lines.length && lines[i]!.trim() !== "" && lines[i]!.includes("|") && budget.blocks > 0) {
    budget.blocks--;
    const row = cells(lines[i]!);
    rows.push(
      `<tr>${header.map((_, c) => `<td${style(c)}>${renderInline(row[c] ?? "")}</td>`).join("")}</tr>`,
    );
    i++;
  }
  const head = `<tr>${header.map((h, c) => `<th${style(c)}>${renderInline(h)}</th>`).join("")}</tr>`;
  return { html: `<table><thead>${head}</thead><tbody>${rows.join("")}</tbody></table>`, end: i };
}

/**
 * How deep block quotes and list items nest before the rest is shown as text. Each level rereads
 * its lines, so the bound keeps `>>>>…` or `- - - …` linear and off the end of the stack; a browser
 * flattens deeper markup anyway (Chromium's HTML parser stops nesting at 512).
 */
const MAX_BLOCK_NESTING = 32;

/**
 * The most blocks (paragraphs, headings, list items, table rows, …) one card's Markdown draws; the
 * rest is shown as text. A card's 2 MiB hold half a million list items, which a browser takes over
 * a minute to lay out; the same text as one paragraph takes a moment.
 */
export const MAX_MARKDOWN_BLOCKS = 10_000;

/** What is left to draw of a card's Markdown blocks, shared by its Markdown components. */
export interface BlockBudget {
  blocks: number;
}

function asText(lines: string[]): string {
  const text = lines.join("\n").trim();
  return text === "" ? "" : `<p>${escapeHtml(text)}</p>`;
}

function renderBlocks(lines: string[], depth: number, budget: BlockBudget): string {
  if (depth >= MAX_BLOCK_NESTING) return asText(lines);
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (line.trim() === "") {
      i++;
      continue;
    }
    if (budget.blocks <= 0) {
      out.push(asText(lines.slice(i)));
      break;
    }
    budget.blocks--;
    if (fence) {
      const marker = fence[1]!;
      let end = i + 1;
      while (end < lines.length && !lines[end]!.trim().startsWith(marker)) end++;
      const lang = fence[2] ? ` data-lang="${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(lines.slice(i + 1, end).join("\n"))}</code></pre>`);
      i = end + 1;
    } else if (/^( {4}|\t)/.test(line)) {
      let end = i;
      while (end < lines.length && (/^( {4}|\t)/.test(lines[end]!) || lines[end]!.trim() === "")) end++;
      const code = lines.slice(i, end).map((l) => l.replace(/^( {4}|\t)/, ""));
      while (code.at(-1)?.trim() === "") code.pop();
      out.push(`<pre><code>${escapeHtml(code.join("\n"))}</code></pre>`);
      i = end;
    } else if (heading(line)) {
      const { level, text } = heading(line)!;
      out.push(`<h${level}>${renderInline(text)}</h${level}>`);
      i++;
    } else if (RULE.test(line)) {
      out.push("<hr>");
      i++;
    } else if (/^ {0,3}>/.test(line)) {
      let end = i;
      while (end < lines.length && lines[end]!.trim() !== "") end++;
      const quoted = lines.slice(i, end).map((l) => l.replace(/^ {0,3}> ?/, ""));
      out.push(`<blockquote>${renderBlocks(quoted, depth + 1, budget)}</blockquote>`);
      i = end;
    } else if (LIST_ITEM.test(line)) {
      const { html, end } = list(lines, i, depth, budget);
      out.push(html);
      i = end;
    } else if (line.includes("|") && isTableDelimiter(lines[i + 1] ?? "")) {
      const { html, end } = tableBlock(lines, i, budget);
      out.push(html);
      i = end;
    } else {
      let end = i + 1;
      while (end < lines.length && lines[end]!.trim() !== "" && !startsBlock(lines[end]!, lines[end + 1]))
        end++;
      out.push(`<p>${renderInline(lines.slice(i, end).join("\n").trim())}</p>`);
      i = end;
    }
  }
  return out.join("");
}

/** Markdown text as sanitised HTML; `budget` is shared by the Markdown components of one card. */
export function renderMarkdown(text: string, budget: BlockBudget = { blocks: MAX_MARKDOWN_BLOCKS }): string {
  return renderBlocks(text.replace(/\r\n?/g, "\n").split("\n"), 0, budget);
}
