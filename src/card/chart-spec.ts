/**
 * The part of Vega-Lite that cards draw: one bar, line or point layer over inline data, with x, y
 * and an optional color encoding. A spec in this subset is a valid Vega-Lite spec, so it can be
 * pasted into the Vega editor as it is; anything outside it is refused when the step builds the
 * chart, naming what is not drawn.
 * @see https://vega.github.io/vega-lite/docs/
 */
import { CardError } from "./errors.js";

export const CHART_MARKS = ["bar", "line", "point"] as const;
export type ChartMark = (typeof CHART_MARKS)[number];

export const FIELD_TYPES = ["quantitative", "temporal", "ordinal", "nominal"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface ChartField {
  /** The key of `data.values` records to read. */
  field: string;
  type: FieldType;
  /** The axis (or legend) title. @default the field's name */
  title?: string;
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

function checkField(channel: string, field: unknown): void {
  if (typeof field !== "object" || field === null) throw bad(`encoding.${channel} must be { field, type }`);
  const { field: name, type } = field as Partial<ChartField>;
  if (typeof name !== "string" || name === "") throw bad(`encoding.${channel}.field must be a field name`);
  if (!FIELD_TYPES.includes(type as FieldType)) {
    throw bad(
      `encoding.${channel}.type must be one of ${FIELD_TYPES.join(", ")}, got ${JSON.stringify(type)}`,
    );
  }
  const extra = Object.keys(field).filter((k) => !["field", "type", "title"].includes(k));
  if (extra.length > 0) throw bad(`encoding.${channel} takes field, type and title, not ${extra.join(", ")}`);
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
  if (channels.length > 0) throw bad(`encoding channels other than x, y and color (${channels.join(", ")})`);
  checkField("x", spec.encoding.x);
  checkField("y", spec.encoding.y);
  if (spec.encoding.color !== undefined) checkField("color", spec.encoding.color);
  for (const size of ["width", "height"] as const) {
    const value = spec[size];
    if (value !== undefined && (typeof value !== "number" || !(value >= 50 && value <= 4000))) {
      throw bad(`${size} must be a number of pixels from 50 to 4000`);
    }
  }
  const { x, y } = spec.encoding;
  const continuous = (t: FieldType) => t === "quantitative" || t === "temporal";
  if (mark === "bar" && continuous(x.type) === continuous(y.type)) {
    throw bad("a bar chart needs one quantitative axis and one ordinal or nominal axis");
  }
  if (mark !== "bar" && !continuous(y.type) && !continuous(x.type)) {
    throw bad(`a ${mark} chart needs a quantitative or temporal axis`);
  }
}
