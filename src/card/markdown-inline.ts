/**
 * Inline Markdown for cards — emphasis, strike, code spans, links, autolinks, hard breaks — safe
 * by construction: every character of the text is escaped and only this renderer's own markup
 * reaches the page. Links keep only http(s), mailto and `#` targets (a `javascript:` link becomes
 * its plain label). Every scan is linear in the text, whatever it holds (see Scan).
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
