/**
 * Cards as HTML: each component drawn by flowship's own markup (user text is always escaped; see
 * markdown.ts), charts as inline SVG, images by URL. The UI puts this HTML in its task page; `card
 * get` wraps it in a self-contained document — styles inlined, images as data: URLs, a content
 * security policy that lets nothing load or run — that opens offline.
 * A component that cannot be drawn becomes a note saying why; the rest of the card still shows.
 */

import { CARD_CSS } from "./card-css.js";
import type { CardRecord } from "./card-record.js";
import { renderChartSvg } from "./chart-svg.js";
import {
  type CardComponent,
  IMAGE_MEDIA_TYPES,
  type ImageComponent,
  type ImageMediaType,
  type TableComponent,
} from "./components.js";
import { escapeHtml } from "./escape.js";
import { type BlockBudget, MAX_MARKDOWN_BLOCKS, renderMarkdown } from "./markdown.js";

export interface RenderOptions {
  /**
   * The `src` of the image at `index` among `card`'s components.
   * @default a data: URL of the image (what a file needs; the UI serves images by URL instead)
   */
  imageSrc?: (card: CardRecord, index: number, image: ImageComponent) => string;
}

export const dataUrl = (image: ImageComponent) => `data:${image.mediaType};base64,${image.data}`;

/**
 * The most table cells one card draws (its tables' header cells included), and the most columns a
 * table draws. A card's 2 MiB hold half a million one-number rows, which a browser takes most of a
 * minute to lay out (and the UI draws a live card again every second): past these, a table draws its
 * first rows and columns and says how many more it holds. The stored card keeps them all.
 */
export const MAX_TABLE_CELLS = 50_000;
export const MAX_TABLE_COLUMNS = 1_000;

/** What is left to draw of one card's table cells and Markdown blocks. */
interface DrawBudget extends BlockBudget {
  cells: number;
}

const fullBudget = (): DrawBudget => ({ cells: MAX_TABLE_CELLS, blocks: MAX_MARKDOWN_BLOCKS });

const counted = (n: number, what: string) => `${n.toLocaleString("en-US")} more ${what}${n === 1 ? "" : "s"}`;

function renderTable(component: TableComponent, budget: DrawBudget): string {
  // An empty table would draw nothing (no columns) or a bare header: say so instead.
  if (component.rows.length === 0) {
    const names = component.columns.slice(0, 20).map((c) => escapeHtml(String(c)));
    return `<p class="fs-muted">An empty table${names.length > 0 ? ` (columns ${names.join(", ")}${component.columns.length > 20 ? ", …" : ""})` : ""}: no rows.</p>`;
  }
  const cell = (value: unknown) =>
    typeof value === "number"
      ? `<td class="fs-number">${escapeHtml(String(value))}</td>`
      : value === null
        ? '<td class="fs-muted">null</td>'
        : `<td>${escapeHtml(String(value))}</td>`;
  const columns = component.columns.slice(0, Math.min(MAX_TABLE_COLUMNS, Math.max(1, budget.cells)));
  budget.cells -= columns.length;
  const drawn = Math.max(0, Math.min(component.rows.length, Math.floor(budget.cells / columns.length)));
  budget.cells -= drawn * columns.length;
  const head = columns.map((c) => `<th>${escapeHtml(String(c))}</th>`).join("");
  const rows = component.rows
    .slice(0, drawn)
    .map((row) => `<tr>${columns.map((_, i) => cell(row[i])).join("")}</tr>`);
  const left = [
    component.columns.length > columns.length
      ? counted(component.columns.length - columns.length, "column")
      : "",
    component.rows.length > drawn ? counted(component.rows.length - drawn, "row") : "",
  ].filter((part) => part !== "");
  const note =
    left.length > 0
      ? `<tfoot><tr><td class="fs-muted fs-table-more" colspan="${columns.length}">${left.join(" and ")} not drawn (a card draws ${MAX_TABLE_CELLS.toLocaleString("en-US")} table cells; the Client API's task.cards() has them all)</td></tr></tfoot>`
      : "";
  return `<div class="fs-table-wrap"><table><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody>${note}</table></div>`;
}

function renderProgress(value: number, max: number, label: string | undefined): string {
  if (!(Number.isFinite(value) && Number.isFinite(max) && max > 0))
    throw new Error("its value or max is not a number");
  const shown = Math.min(Math.max(value, 0), max);
  const percent = Math.round((shown / max) * 100);
  const text = `${label ? `${label}: ` : ""}${value} of ${max} (${percent}%)`;
  return `<progress value="${shown}" max="${max}" aria-label="${escapeHtml(label ?? "progress")}"></progress><span class="fs-progress-text">${escapeHtml(text)}</span>`;
}

function renderBody(component: CardComponent, src: () => string, budget: DrawBudget): string {
  switch (component.type) {
    case "markdown":
      return renderMarkdown(String(component.text), budget);
    case "table":
      return renderTable(component, budget);
    case "image":
      if (!IMAGE_MEDIA_TYPES.includes(component.mediaType as ImageMediaType)) {
        throw new Error(`its type ${JSON.stringify(component.mediaType)} is not an image type`);
      }
      return `<img src="${escapeHtml(src())}" alt="${escapeHtml(String(component.alt ?? ""))}">`;
    case "chart":
      return renderChartSvg(component.spec);
    case "progress":
      return renderProgress(Number(component.value), Number(component.max), component.label);
    default:
      throw new Error(`${JSON.stringify((component as { type?: unknown }).type)} is not a kind of component`);
  }
}

/** One component as HTML, or a note saying why it could not be drawn. */
export function renderComponent(
  component: CardComponent,
  src: () => string = () => "",
  budget: DrawBudget = fullBudget(),
): string {
  const type = escapeHtml(String((component as { type?: unknown })?.type ?? "unknown"));
  try {
    return `<div class="fs-component fs-${type}" data-component="${type}">${renderBody(component, src, budget)}</div>`;
  } catch (error) {
    const why = escapeHtml(String((error as Error)?.message ?? error));
    return `<div class="fs-component fs-card-error" data-component="error">This ${type} could not be drawn: ${why}</div>`;
  }
}

/** One card as a `<section class="fs-card">`. */
export function renderCard(card: CardRecord, options: RenderOptions = {}): string {
  const imageSrc = options.imageSrc ?? ((_card, _index, image) => dataUrl(image));
  const components = Array.isArray(card.components) ? card.components : [];
  const budget = fullBudget();
  const body = components.map((component, index) =>
    renderComponent(component, () => imageSrc(card, index, component as ImageComponent), budget),
  );
  const meta = card.final ? "" : `live, updated ${escapeHtml(String(card.updatedAt).slice(11, 19))} UTC`;
  return [
    `<section class="fs-card" data-card="${escapeHtml(card.id)}" data-final="${card.final === true}">`,
    `<div class="fs-card-head"><h2>${escapeHtml(card.title ?? card.id)}</h2><span class="fs-card-meta">${meta}</span></div>`,
    card.failure !== undefined
      ? `<p class="fs-card-failed">This attempt failed: ${escapeHtml(String(card.failure))}</p>`
      : "",
    body.length > 0 ? body.join("") : '<p class="fs-muted">This card is empty.</p>',
    "</section>",
  ].join("");
}

/**
 * Cards as one HTML document that needs nothing else: styles inline, images inline, and a
 * content security policy that blocks every fetch and every script, so it opens offline and
 * anything hostile in it stays inert.
 */
export function cardDocument(
  cards: readonly CardRecord[],
  source: { pathspec: string; attempt: number },
): string {
  const title = `${source.pathspec} (attempt ${source.attempt})`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { margin: 0; background: #f7f7f8; }
.fs-card-page { max-width: 1000px; margin: 24px auto; padding: 0 16px; }
.fs-card-source { font: 13px system-ui, sans-serif; color: #666; }
${CARD_CSS}
</style>
</head>
<body>
<main class="fs-card-page">
<p class="fs-card-source">Cards of ${escapeHtml(title)}, made by flowship</p>
${cards.map((card) => renderCard(card)).join("\n")}
</main>
</body>
</html>
`;
}
