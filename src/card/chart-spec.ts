/**
 * The part of Vega-Lite that cards draw: one bar, line or point layer over inline data, with x, y
 * (each with an optional `scale` and `sort`) and an optional color encoding. A spec in this subset
 * is a valid Vega-Lite spec, so it can be pasted into the Vega editor as it is; anything outside
 * it — or a field no record has — is refused when the step builds the chart, naming what is wrong.
 * @see https://vega.github.io/vega-lite/docs/
 */
import { CardError } from "./errors.js";

export const CHART_MARKS = ["bar", "line", "point"] as const;
export type ChartMark = (typeof CHART_MARKS)[number];

export const FIELD_TYPES = ["quantitative", "temporal", "ordinal", "nominal"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** What an x or y scale covers. */
export interface ChartScale {
  /** Keep 0 on a quantitative axis. @default true, unless `domain` is given */
  zero?: boolean;
  /**
   * The values the axis covers: `[min, max]` for a quantitative or temporal field (marks outside
   * it are cut at the plot's edge), the categories in order for an ordinal or nominal one.
   * @default what the data covers
   */
  domain?: readonly (number | string)[];
}

/** A value of a continuous field as a number: a number, or a date (as ms) for temporal fields. */
export function numeric(value: unknown, type: FieldType): number | undefined {
  if (type === "temporal") {
    const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
    return Number.isFinite(ms) ? ms : undefined;
  }
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && value.trim() !== ""
        ? Number(value)
        : Number.NaN;
  return Number.isFinite(n) ? n : undefined;
}

/**
 * The order of an axis: "ascending" (the default) or "descending"; for ordinal and nominal fields
 * also null (the order of the data) or the values in the order wanted (others follow, in data order).
 */
export type ChartSort = "ascending" | "descending" | null | readonly (string | number | boolean)[];

export interface ChartField {
  /** The key of `data.values` records to read. */
  field: string;
  type: FieldType;
  /** The axis (or legend) title. @default the field's name */
  title?: string;
  /** x and y only. */
  scale?: ChartScale;
  /** x and y only. @default "ascending" */
  sort?: ChartSort;
}

export interface ChartSpec {
  $schema?: string;
  title?: string;
  description?: string;
  /** Width of the plot in pixels. @default 400 */
  width?: number;
  /** Height of the plot in pixels. @default 240 */
  height?: number;
  mark: ChartMark | { type: ChartMark; color?: string; point?: boolean; tooltip?: boolean };
  data: { values: readonly Record<string, unknown>[] };
  encoding: { x: ChartField; y: ChartField; color?: ChartField };
}

/** Most data points one chart draws: beyond this an SVG gets slow to draw and heavy to store. */
export const MAX_CHART_POINTS = 10_000;

const SPEC_KEYS = new Set(["$schema", "title", "description", "width", "height", "mark", "data", "encoding"]);

function bad(what: string): CardError {
  return new CardError(
    "FS_CARD_BAD_COMPONENT",
    `chart() draws a subset of Vega-Lite (docs/cards.md): ${what}.`,
  );
}

export function markOf(spec: ChartSpec): ChartMark {
  return typeof spec.mark === "string" ? spec.mark : spec.mark.type;
}

const isContinuous = (type: FieldType) => type === "quantitative" || type === "temporal";

function checkScale(channel: string, type: FieldType, scale: unknown): void {
  if (typeof scale !== "object" || scale === null || Array.isArray(scale)) {
    throw bad(`encoding.${channel}.scale must be an object ({ zero?, domain? })`);
  }
  const extra = Object.keys(scale).filter((k) => k !== "zero" && k !== "domain");
  if (extra.length > 0) throw bad(`encoding.${channel}.scale takes zero and domain, not ${extra.join(", ")}`);
  const { zero, domain } = scale as ChartScale;
  if (zero !== undefined && (typeof zero !== "boolean" || type !== "quantitative")) {
    throw bad(`encoding.${channel}.scale.zero must be true or false, on a quantitative field`);
  }
  if (domain === undefined) return;
  if (isContinuous(type)) {
    const ends = Array.isArray(domain) ? domain.map((v) => numeric(v, type)) : [];
    if (ends.length !== 2 || ends.some((v) => v === undefined) || ends[0]! >= ends[1]!) {
      throw bad(
        `encoding.${channel}.scale.domain of a ${type} field must be [min, max] with min < max, got ${JSON.stringify(domain)}`,
      );
    }
  } else if (
    !Array.isArray(domain) ||
    domain.length === 0 ||
    !domain.every((v) => typeof v === "string" || typeof v === "number")
  ) {
    throw bad(`encoding.${channel}.scale.domain of a ${type} field must be a list of its values`);
  }
}

function checkSort(channel: string, type: FieldType, sort: unknown): void {
  if (sort === "ascending" || sort === "descending") return;
  const listed = Array.isArray(sort) && sort.every((v) => ["string", "number", "boolean"].includes(typeof v));
  if (isContinuous(type) || (sort !== null && !listed)) {
    throw bad(
      `encoding.${channel}.sort must be "ascending" or "descending"${isContinuous(type) ? ` on a ${type} field` : ", null (data order) or a list of values"}, got ${JSON.stringify(sort)}`,
    );
  }
}

function checkField(channel: string, field: unknown): void {
  if (typeof field !== "object" || field === null) throw bad(`encoding.${channel} must be { field, type }`);
  const { field: name, type, scale, sort } = field as Partial<ChartField>;
  if (typeof name !== "string" || name === "") throw bad(`encoding.${channel}.field must be a field name`);
  if (!FIELD_TYPES.includes(type as FieldType)) {
    throw bad(
      `encoding.${channel}.type must be one of ${FIELD_TYPES.join(", ")}, got ${JSON.stringify(type)}`,
    );
  }
  const keys = channel === "color" ? ["field", "type", "title"] : ["field", "type", "title", "scale", "sort"];
  const extra = Object.keys(field).filter((k) => !keys.includes(k));
  if (extra.length > 0) throw bad(`encoding.${channel} takes ${keys.join(", ")}, not ${extra.join(", ")}`);
  if (scale !== undefined) checkScale(channel, type!, scale);
  if (sort !== undefined) checkSort(channel, type!, sort);
}

/** Most field names a message lists. */
const LISTED_FIELDS = 20;

/** Refuses a field no record has: it would draw empty axes without a word. */
function checkFieldPresent(channel: string, name: string, values: readonly unknown[]): void {
  const records = values.filter((r): r is Record<string, unknown> => typeof r === "object" && r !== null);
  if (values.length === 0 || records.some((r) => Object.hasOwn(r, name))) return;
  const present = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const listed =
    present.length === 0
      ? "they have no fields"
      : `their fields are ${present
          .slice(0, LISTED_FIELDS)
          .map((f) => `'${f}'`)
          .join(", ")}${present.length > LISTED_FIELDS ? ", …" : ""}`;
  throw new CardError(
    "FS_CARD_BAD_COMPONENT",
    `chart() encodes ${channel} as field '${name}', which no record of data.values has; ${listed}.`,
  );
}

/** Throws FS_CARD_BAD_COMPONENT when `spec` is outside the subset drawn. */
export function checkChartSpec(spec: ChartSpec): void {
  if (typeof spec !== "object" || spec === null) throw bad("the spec must be an object");
  const extra = Object.keys(spec).filter((k) => !SPEC_KEYS.has(k));
  if (extra.length > 0) throw bad(`top-level ${extra.join(", ")} is not drawn`);
  const mark = typeof spec.mark === "object" && spec.mark !== null ? spec.mark.type : spec.mark;
  if (!CHART_MARKS.includes(mark as ChartMark)) {
    throw bad(`mark must be ${CHART_MARKS.join(", ")}, got ${JSON.stringify(mark)}`);
  }
  const values = spec.data?.values;
  if (!Array.isArray(values)) throw bad("data.values must be an array of records (inline data only)");
  if (values.length > MAX_CHART_POINTS) {
    throw bad(`data.values has ${values.length} records, more than the ${MAX_CHART_POINTS} a chart draws`);
  }
  if (typeof spec.encoding !== "object" || spec.encoding === null) throw bad("encoding must give x and y");
  const channels = Object.keys(spec.encoding).filter((k) => !["x", "y", "color"].includes(k));
  if (channels.length > 0) {
    const names = channels.map((c) => `'${c}'`).join(", ");
    throw bad(
      `encoding ${channels.length === 1 ? `channel ${names} is` : `channels ${names} are`} not drawn; a chart draws x, y and color`,
    );
  }
  checkField("x", spec.encoding.x);
  checkField("y", spec.encoding.y);
  if (spec.encoding.color !== undefined) checkField("color", spec.encoding.color);
  for (const channel of ["x", "y", "color"] as const) {
    const field = spec.encoding[channel];
    if (field) checkFieldPresent(channel, field.field, values);
  }
  for (const size of ["width", "height"] as const) {
    const value = spec[size];
    if (value !== undefined && (typeof value !== "number" || !(value >= 50 && value <= 4000))) {
      throw bad(`${size} must be a number of pixels from 50 to 4000`);
    }
  }
  const { x, y } = spec.encoding;
  if (mark === "bar" && isContinuous(x.type) === isContinuous(y.type)) {
    throw bad("a bar chart needs one quantitative axis and one ordinal or nominal axis");
  }
  if (mark !== "bar" && !isContinuous(y.type) && !isContinuous(x.type)) {
    throw bad(`a ${mark} chart needs a quantitative or temporal axis`);
  }
}
