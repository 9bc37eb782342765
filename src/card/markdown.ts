/**
 * Markdown to HTML for cards, safe by construction: every character of the text is escaped and
 * only the markup this renderer writes itself reaches the page, so raw HTML in the text — a
 * `<script>`, an `onerror=` — is shown as text, never parsed. Links keep only http(s), mailto and
 * `#` targets (a `javascript:` link becomes its plain label). Covers CommonMark's everyday part:
 * headings, paragraphs, emphasis, strike, code spans and fenced or indented code, links, block
 * quotes, nested lists, rules and GitHub tables. Images are links: a card draws images with image().
 */
import { escapeHtml } from "./escape.js";

const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

/** A link target kept as it is, or undefined for one that could run script or leave the card's world. */
export function safeUrl(raw: string): string | undefined {
  // Browsers ignore control characters and whitespace inside a scheme ("java\tscript:").
  const url = [...raw].filter((c) => c.charCodeAt(0) > 0x20 && c.charCodeAt(0) !== 0x7f).join("");
  if (url.startsWith("#")) return url;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  return scheme === "http" || scheme === "https" || scheme === "mailto" ? url : undefined;
}

/** The longest link target read (browsers keep URLs to a few KiB); a longer one is not a link. */
const MAX_URL = 8192;

/**
 * The destination of an inline link starting at `from` (after `](` and any spaces), as CommonMark
 * reads it: `<…>`, or text up to a space or the `)` that closes the link — parentheses inside it
 * count only when balanced, so `https://en.wikipedia.org/wiki/Foo_(bar)` stays whole.
 */
function destination(text: string, from: number): { url: string; end: number } | undefined {
  if (text[from] === "<") {
    let close = from + 1;
    while (close < text.length && close - from <= MAX_URL && !">\n<".includes(text[close]!)) close++;
    if (text[close] !== ">") return undefined;
    const url = text.slice(from + 1, close).replace(/ /g, "%20");
    return { url, end: close + 1 };
  }
  let url = "";
  let depth = 0;
  let i = from;
  for (; i < text.length; i++) {
    // A link's target is bounded, so a text of unclosed `[a](…` is not scanned to its end from each.
    if (i - from > MAX_URL) return undefined;
    const c = text[i]!;
    if (c === "\\" && PUNCTUATION.includes(text[i + 1] ?? " ")) {
      url += text[++i];
    } else if (/\s/.test(c) || (c === ")" && depth === 0)) {
      break;
    } else {
      // CommonMark allows 32 levels of parentheses in a target; more is not a link. The bound keeps
      // `[a]([a]([a](…` linear: every later link opener inside a scan adds a level.
      if (c === "(" && ++depth > 32) return undefined;
      if (c === ")") depth--;
      url += c;
    }
  }
  return depth === 0 ? { url, end: i } : undefined;
}

/**
 * Searches of one inline text, kept so that scanning stays linear: the `]` that closes each `[`
 * (found in one pass, where scanning from each `[` would be quadratic on `[[[[…`), and the
 * positions from which a searched-for string is known to be absent (a search that failed from
 * `p` fails from any later position, so `*a *a *a…` or `[a]([a](…` are not rescanned).
 */
interface Scan {
  brackets?: Map<number, number>;
  absentFrom: Map<string, number>;
}

function closingBrackets(text: string): Map<number, number> {
  const closes = new Map<number, number>();
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\\") i++;
    else if (c === "[") open.push(i);
    else if (c === "]" && open.length > 0) closes.set(open.pop()!, i);
  }
  return closes;
}

/** `text.indexOf(needle, from)`, remembering failures (see Scan). */
function find(scan: Scan, text: string, needle: string, from: number): number {
  if (from >= (scan.absentFrom.get(needle) ?? Number.POSITIVE_INFINITY)) return -1;
  const at = text.indexOf(needle, from);
  if (at < 0) scan.absentFrom.set(needle, Math.min(from, scan.absentFrom.get(needle) ?? from));
  return at;
}

/** `[label](target "title")` starting at `start` (the `[`): its parts and where it ends. */
function parseLink(
  text: string,
  start: number,
  scan: Scan,
): { label: string; url: string; end: number } | undefined {
  scan.brackets ??= closingBrackets(text);
  const i = scan.brackets.get(start) ?? text.length;
  if (i >= text.length || text[i + 1] !== "(") return undefined;
  const skip = (at: number) => {
    // Spaces, at most one line break, spaces: read in place (a slice per link would be quadratic).
    let j = at;
    while (text[j] === " " || text[j] === "\t") j++;
    if (text[j] === "\n") j++;
    while (text[j] === " " || text[j] === "\t") j++;
    return j;
  };
  const target = destination(text, skip(i + 2));
  if (!target) return undefined;
  let end = skip(target.end);
  // An optional title: "…", '…' or (…); the card shows none, but it must not end up in the URL.
  const closing = { '"': '"', "'": "'", "(": ")" }[text[end] ?? ""];
  if (closing !== undefined && end > target.end) {
    const close = find(scan, text, closing, end + 1);
    if (close < 0) return undefined;
    end = skip(close + 1);
  }
  if (text[end] !== ")") return undefined;
  return { label: text.slice(start + 1, i), url: target.url, end: end + 1 };
}

/** Where the closing `marker` of emphasis opened at `from` is, or -1. */
function closer(text: string, marker: string, from: number, scan: Scan): number {
  // No closer from `from` means none from any later position either (see Scan).
  const key = `emphasis ${marker}`;
  if (from >= (scan.absentFrom.get(key) ?? Number.POSITIVE_INFINITY)) return -1;
  for (let at = text.indexOf(marker, from); at >= 0; at = text.indexOf(marker, at + 1)) {
    const single = marker.length === 1;
    // A single `*` that is half of a `**` belongs to strong emphasis, not to this one.
    if (single && (text[at + 1] === marker || text[at - 1] === marker)) continue;
    if (at > from && !/\s/.test(text[at - 1]!)) return at;
  }
  scan.absentFrom.set(key, Math.min(from, scan.absentFrom.get(key) ?? from));
  return -1;
}

/** How deep links and emphasis nest before the rest is shown as text (each level rescans its text). */
const MAX_NESTING = 16;

function link(href: string, inner: string): string {
  return `<a href="${escapeHtml(href)}" rel="noopener noreferrer" target="_blank">${inner}</a>`;
}

/** Inline Markdown of one block (lines joined with `\n`) as HTML. */
export function renderInline(text: string, depth = 0): string {
  if (depth > MAX_NESTING) return escapeHtml(text);
  const scan: Scan = { absentFrom: new Map() };
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "\\" && text[i + 1] === "\n") {
      out += "<br>";
      i += 2;
    } else if (c === "\\" && PUNCTUATION.includes(text[i + 1] ?? " ")) {
      out += escapeHtml(text[i + 1]!);
      i += 2;
    } else if (c === " " && text[i + 1] === " ") {
      // A run of spaces at once: testing each space for "two or more, then a newline" is quadratic.
      let end = i;
      while (text[end] === " ") end++;
      out += text[end] === "\n" ? "<br>" : text.slice(i, end);
      i = text[end] === "\n" ? end + 1 : end;
    } else if (c === "`") {
      const ticks = /^`+/.exec(text.slice(i))![0];
      const end = find(scan, text, ticks, i + ticks.length);
      if (end < 0) {
        out += ticks;
        i += ticks.length;
        continue;
      }
      const code = text.slice(i + ticks.length, end).replace(/\n/g, " ");
      out += `<code>${escapeHtml(code.length > 2 && code.startsWith(" ") && code.endsWith(" ") ? code.slice(1, -1) : code)}</code>`;
      i = end + ticks.length;
    } else if (c === "[" || (c === "!" && text[i + 1] === "[")) {
      const parsed = parseLink(text, c === "!" ? i + 1 : i, scan);
      if (!parsed) {
        out += escapeHtml(c);
        i++;
        continue;
      }
      const href = safeUrl(parsed.url);
      const inner = renderInline(parsed.label, depth + 1);
      out += href ? link(href, inner) : inner;
      i = parsed.end;
    } else if (c === "<") {
      const auto = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i.exec(text.slice(i));
      const href = auto ? safeUrl(auto[1]!) : undefined;
      out += auto && href ? link(href, escapeHtml(auto[1]!)) : "&lt;";
      i += auto && href ? auto[0].length : 1;
    } else if (c === "*" || c === "_" || c === "~") {
      const run = text.slice(i, i + 2) === c + c ? c + c : c;
      const opensWord = c !== "_" || i === 0 || !/[\p{L}\p{N}]/u.test(text[i - 1]!);
      const opens = opensWord && !/\s/.test(text[i + run.length] ?? " ");
      const end = run === "~" || !opens ? -1 : closer(text, run, i + run.length, scan);
      if (end < 0) {
        out += escapeHtml(run);
        i += run.length;
        continue;
      }
      const tag = c === "~" ? "del" : run.length === 2 ? "strong" : "em";
      out += `<${tag}>${renderInline(text.slice(i + run.length, end), depth + 1)}</${tag}>`;
      i = end + run.length;
    } else {
      out += escapeHtml(c);
      i++;
    }
  }
  return out;
}

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

function list(lines: string[], start: number, depth: number): { html: string; end: number } {
  const first = LIST_ITEM.exec(lines[start]!)!;
  const ordered = /\d/.test(first[2]!);
  const items: string[] = [];
  let i = start;
  while (i < lines.length) {
    const match = LIST_ITEM.exec(lines[i]!);
    if (!match || /\d/.test(match[2]!) !== ordered) break;
    const indent = match[0].length;
    const end = itemLines(lines, i + 1, indent);
    const body = [
      lines[i]!.slice(indent),
      ...lines.slice(i + 1, end).map((l) => l.replace(new RegExp(`^ {0,${indent}}`), "")),
    ];
    const html = renderBlocks(body, depth + 1);
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

function tableBlock(lines: string[], start: number): { html: string; end: number } {
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
  while (i < lines.length && lines[i]!.trim() !== "" && lines[i]!.includes("|")) {
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

function renderBlocks(lines: string[], depth = 0): string {
  if (depth >= MAX_BLOCK_NESTING) {
    const text = lines.join("\n").trim();
    return text === "" ? "" : `<p>${escapeHtml(text)}</p>`;
  }
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (line.trim() === "") {
      i++;
    } else if (fence) {
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
      out.push(`<blockquote>${renderBlocks(quoted, depth + 1)}</blockquote>`);
      i = end;
    } else if (LIST_ITEM.test(line)) {
      const { html, end } = list(lines, i, depth);
      out.push(html);
      i = end;
    } else if (line.includes("|") && isTableDelimiter(lines[i + 1] ?? "")) {
      const { html, end } = tableBlock(lines, i);
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

/** Markdown text as sanitised HTML. */
export function renderMarkdown(text: string): string {
  return renderBlocks(text.replace(/\r\n?/g, "\n").split("\n"));
}
