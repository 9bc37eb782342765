/**
 * What a card is made of: components as plain data (so a card is stored as JSON beside its task
 * attempt and drawn later, by the UI or into an HTML file), and the functions a step builds them
 * with. Checks happen here, when the step builds a component, so a mistake fails at its line.
 */
import { type ChartSpec, checkChartSpec } from "./chart-spec.js";
import { CardError } from "./errors.js";

/** Markdown text; raw HTML in it is shown as text, never run (see docs/cards.md). */
export interface MarkdownComponent {
  readonly type: "markdown";
  readonly text: string;
}

export type TableCell = string | number | boolean | null;

export interface TableComponent {
  readonly type: "table";
  readonly columns: readonly string[];
  readonly rows: readonly (readonly TableCell[])[];
}

export const IMAGE_MEDIA_TYPES = [
  "image/png",
  "image/jpeg",
  "image/gif",
  "image/webp",
  "image/svg+xml",
] as const;
export type ImageMediaType = (typeof IMAGE_MEDIA_TYPES)[number];

export interface ImageComponent {
  readonly type: "image";
  readonly mediaType: ImageMediaType;
  /** The image's bytes, base64. */
  readonly data: string;
  readonly alt: string;
}

export interface ChartComponent {
  readonly type: "chart";
  readonly spec: ChartSpec;
}

export interface ProgressComponent {
  readonly type: "progress";
  readonly value: number;
  readonly max: number;
  readonly label?: string;
}

/** A progress bar a step moves on: `bar.update(n)`, then `current.card.refresh()` to show it. */
export interface ProgressBar extends ProgressComponent {
  update(value: number, label?: string): void;
}

/** One component of a card, as stored. */
export type CardComponent =
  | MarkdownComponent
  | TableComponent
  | ImageComponent
  | ChartComponent
  | ProgressComponent;

export type CardComponentType = CardComponent["type"];

function bad(message: string): CardError {
  return new CardError("FS_CARD_BAD_COMPONENT", message);
}

/**
 * `value` as the JSON a card stores, or FS_CARD_BAD_COMPONENT naming what JSON cannot hold (a
 * BigInt, a cycle) instead of the TypeError JSON.stringify throws.
 */
export function storable(what: string, value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    const why = String((error as Error)?.message ?? error).split("\n")[0]!;
    throw bad(
      `${what} takes data a card can store as JSON (numbers, strings, booleans, null, arrays and records): ${why}.`,
    );
  }
}

/**
 * A Markdown block.
 * @example current.card.append(markdown(`# Training\nAccuracy **${accuracy}**`));
 */
export function markdown(text: string): MarkdownComponent {
  if (typeof text !== "string") throw bad(`markdown() takes a string, got ${typeof text}.`);
  return { type: "markdown", text };
}

function cell(value: unknown): TableCell {
  if (value === undefined) return null;
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value === "bigint") return String(value);
  if (value instanceof Date) return value.toISOString();
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export interface TableOptions {
  /** Column names: required for rows given as arrays; picks and orders the columns of records. @default every key of the records, in order of appearance */
  columns?: readonly string[];
}

/** Up to 20 names, quoted, for a message. */
const listed = (names: readonly string[]) =>
  names.length === 0
    ? "none"
    : `${names
        .slice(0, 20)
        .map((n) => `'${n}'`)
        .join(", ")}${names.length > 20 ? ", …" : ""}`;

function tableOfArrays(
  rows: readonly (readonly unknown[])[],
  columns: readonly string[] | undefined,
): TableComponent {
  if (columns === undefined) {
    throw bad(
      'table() takes rows given as arrays with their column names: table(rows, { columns: ["epoch", "loss"] }).',
    );
  }
  const long = rows.findIndex((row) => row.length > columns.length);
  if (long >= 0) {
    throw bad(
      `table() row ${long} has ${rows[long]!.length} values, more than its ${columns.length} columns (${listed(columns)}).`,
    );
  }
  return { type: "table", columns, rows: rows.map((row) => columns.map((_, i) => cell(row[i]))) };
}

/**
 * A table, from records (`[{ label: "cat", score: 0.9 }]`) or from arrays with `columns`. Cells
 * that are not strings, numbers, booleans or null are shown as JSON.
 * @example current.card.append(table([{ label: "cat", precision: 0.91 }, { label: "dog", precision: 0.87 }]));
 */
export function table(
  rows: readonly Record<string, unknown>[] | readonly (readonly unknown[])[],
  options: TableOptions = {},
): TableComponent {
  if (!Array.isArray(rows)) throw bad(`table() takes an array of rows, got ${typeof rows}.`);
  const given = options.columns;
  if (given !== undefined && (!Array.isArray(given) || !given.every((c) => typeof c === "string"))) {
    throw bad("table() takes columns as an array of strings.");
  }
  if (rows.length > 0 && rows.every((row) => Array.isArray(row))) {
    return tableOfArrays(rows as unknown[][], given);
  }
  if (!rows.every((row) => typeof row === "object" && row !== null && !Array.isArray(row))) {
    throw bad("table() takes rows that are all records ({ column: value }) or all arrays.");
  }
  const records = rows as Record<string, unknown>[];
  const keys = [...new Set(records.flatMap((row) => Object.keys(row)))];
  const absent = records.length > 0 ? (given ?? []).filter((c) => !keys.includes(c)) : [];
  if (absent.length > 0) {
    throw bad(
      `table() column${absent.length > 1 ? "s" : ""} ${listed(absent)} ${absent.length > 1 ? "are" : "is"} in no record; the records' keys are ${listed(keys)}.`,
    );
  }
  const columns = given ?? keys;
  return {
    type: "table",
    columns: [...columns],
    rows: records.map((row) => columns.map((column) => cell(row[column]))),
  };
}

/** The image type of some bytes, from their first bytes (what browsers sniff too). */
function sniff(bytes: Uint8Array): ImageMediaType | undefined {
  const starts = (...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "image/png";
  if (starts(0xff, 0xd8, 0xff)) return "image/jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38)) return "image/gif";
  const text = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to));
  if (bytes.length > 12 && text(0, 4) === "RIFF" && text(8, 12) === "WEBP") return "image/webp";
  return undefined;
}

export interface ImageOptions {
  /** Text for readers who cannot see the image. @default "" */
  alt?: string;
}

/**
 * An image: PNG, JPEG, GIF or WebP bytes, or SVG markup as a string. It is drawn as an image,
 * so script in an SVG never runs.
 * @example current.card.append(image(fs.readFileSync("confusion.png"), { alt: "confusion matrix" }));
 */
export function image(source: Uint8Array | string, options: ImageOptions = {}): ImageComponent {
  const alt = options.alt ?? "";
  if (typeof alt !== "string") throw bad(`image() takes alt as a string, got ${typeof alt}.`);
  if (typeof source === "string") {
    if (!/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE[^>]*>\s*)?<svg[\s/>]/i.test(source)) {
      throw bad("image() takes SVG markup (starting with <svg) as a string, or the bytes of an image.");
    }
    return { type: "image", mediaType: "image/svg+xml", data: Buffer.from(source).toString("base64"), alt };
  }
  if (!(source instanceof Uint8Array)) {
    throw bad(`image() takes a Uint8Array (or Buffer) or an SVG string, got ${typeof source}.`);
  }
  const mediaType = sniff(source);
  if (!mediaType) {
    throw bad(
      `image() takes PNG, JPEG, GIF or WebP bytes or SVG markup; these ${source.length} bytes are none of them.`,
    );
  }
  return { type: "image", mediaType, data: Buffer.from(source).toString("base64"), alt };
}

/**
 * A chart from a Vega-Lite spec: bar, line and point marks with x and y (and color) encodings
 * over inline `data.values`; docs/cards.md lists the subset drawn.
 * @example current.card.append(chart({ mark: "line", data: { values: losses }, encoding: { x: { field: "epoch", type: "quantitative" }, y: { field: "loss", type: "quantitative" } } }));
 */
export function chart(spec: ChartSpec): ChartComponent {
  checkChartSpec(spec);
  // A copy: the step may change its data afterwards, and the card keeps what it was given.
  return { type: "chart", spec: JSON.parse(storable("chart()", spec)) as ChartSpec };
}

/** A number as a message shows it: NaN and Infinity by name (JSON would say null). */
const shownNumber = (value: unknown) => (typeof value === "number" ? String(value) : JSON.stringify(value));

function checkProgress(value: number, max: number): void {
  if (typeof max !== "number" || !Number.isFinite(max) || max <= 0) {
    throw bad(`progress() takes a max greater than 0, got ${shownNumber(max)}.`);
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw bad(`progress() takes a finite number as its value, got ${shownNumber(value)}.`);
  }
  if (value < 0 || value > max) {
    throw bad(`progress() takes a value from 0 to its max (${max}), got ${value}.`);
  }
}

/**
 * A progress bar, `value` of `max`; move it with `update` and publish with `current.card.refresh()`.
 * @example const bar = progress(0, batches, "batches"); current.card.append(bar); … bar.update(i); await current.card.refresh();
 */
export function progress(value: number, max: number, label?: string): ProgressBar {
  checkProgress(value, max);
  const bar = {
    type: "progress" as const,
    value,
    max,
    ...(label !== undefined ? { label: String(label) } : {}),
    update(next: number, nextLabel?: string) {
      checkProgress(next, bar.max);
      bar.value = next;
      if (nextLabel !== undefined) bar.label = String(nextLabel);
    },
  };
  return bar;
}

const isString = (v: unknown) => typeof v === "string";

/**
 * The stored form of a component (a progress bar without `update`), checked: a hand-made object
 * that is not what the constructors make is refused here, where the step appends it.
 */
export function componentData(component: CardComponent): CardComponent {
  const c = component as unknown as Partial<Record<string, unknown>> & { type?: unknown };
  const shaped =
    c?.type === "markdown"
      ? isString(c.text)
      : c?.type === "table"
        ? Array.isArray(c.columns) && Array.isArray(c.rows) && c.rows.every((r) => Array.isArray(r))
        : c?.type === "image"
          ? IMAGE_MEDIA_TYPES.includes(c.mediaType as ImageMediaType) && isString(c.data) && isString(c.alt)
          : c?.type === "chart" || c?.type === "progress";
  if (!shaped) {
    throw bad(
      `A card takes components made by markdown(), table(), image(), chart() or progress(), got ${JSON.stringify(c?.type ?? typeof component)}${c?.type ? " with other fields" : ""}.`,
    );
  }
  if (component.type === "chart") checkChartSpec(component.spec);
  if (component.type === "progress") {
    const { value, max, label } = component;
    checkProgress(value, max);
    return { type: "progress", value, max, ...(label !== undefined ? { label: String(label) } : {}) };
  }
  return component;
}
