/**
 * Draws a chart spec (chart-spec.ts) as one SVG element: axes with ticks, grid lines on
 * quantitative axes, the marks (bars stacked by color, lines, hollow points, as Vega-Lite draws
 * them by default) and a legend for color. Plain markup, no script: it shows in the UI under its
 * content security policy and in an HTML file with no network.
 */
import { bandScale, linearScale, type Scale } from "./chart-scales.js";
import { type ChartField, type ChartSpec, checkChartSpec, markOf, numeric } from "./chart-spec.js";
import { escapeHtml } from "./escape.js";

/** Vega's default categorical palette (tableau10). */
const PALETTE = [
  "#4c78a8",
  "#f58518",
  "#e45756",
  "#72b7b2",
  "#54a24b",
  "#eeca3b",
  "#b279a2",
  "#ff9da6",
  "#9d755d",
  "#bab0ac",
];
const FONT = 'font-family="system-ui, sans-serif" font-size="11" fill="#444"';

interface Datum {
  x: unknown;
  y: unknown;
  group: string;
  row: Record<string, unknown>;
}

const titleOf = (field: ChartField) => field.title ?? field.field;
const continuous = (field: ChartField) => field.type === "quantitative" || field.type === "temporal";

/**
 * The scale of one axis: `values` are what it must cover (for a bar chart's value axis, the
 * stacks' totals). Quantitative axes keep 0 unless `scale.zero` is false or a domain is given.
 */
function scaleFor(field: ChartField, values: unknown[], range: [number, number], bar: boolean): Scale {
  if (!continuous(field)) {
    return bandScale({
      values,
      range: range[0] < range[1] ? range : [range[1], range[0]],
      sort: field.sort,
      domain: field.scale?.domain,
    });
  }
  const numbers = values.map((v) => numeric(v, field.type)).filter((n): n is number => n !== undefined);
  const domain = field.scale?.domain?.map((v) => numeric(v, field.type)!) as [number, number] | undefined;
  return linearScale({
    values: numbers,
    type: field.type,
    range,
    zero: field.scale?.zero ?? (domain === undefined && (bar || field.type === "quantitative")),
    domain,
    reverse: field.sort === "descending",
  });
}

/** True when some marks may fall outside the axes: they are then cut at the plot's edge. */
const clipped = (field: ChartField) => field.scale?.domain !== undefined || field.scale?.zero === false;

/** About how wide a label of the chart's 11 px font is, in pixels. */
const labelWidth = (text: string) => text.length * 6.5;

function tooltip(spec: ChartSpec, d: Datum): string {
  const { x, y, color } = spec.encoding;
  const parts = [x, y, ...(color ? [color] : [])].map((f) => `${titleOf(f)}: ${String(d.row[f.field])}`);
  return `<title>${escapeHtml(parts.join("; "))}</title>`;
}

/** Bars: one per datum, stacked when several share a band (Vega-Lite stacks bars by color). */
function bars(
  spec: ChartSpec,
  data: Datum[],
  xs: Scale,
  ys: Scale,
  colorOf: (g: string) => string,
): string[] {
  const vertical = xs.kind === "band";
  const [band, value, field] = vertical ? [xs, ys, spec.encoding.y] : [ys, xs, spec.encoding.x];
  const stacks = new Map<string, { up: number; down: number }>();
  const out: string[] = [];
  for (const d of data) {
    const key = String(vertical ? d.x : d.y);
    const start = band.position(vertical ? d.x : d.y);
    const v = numeric(vertical ? d.y : d.x, field.type);
    if (start === undefined || v === undefined) continue;
    const stack = stacks.get(key) ?? { up: 0, down: 0 };
    const base = v >= 0 ? stack.up : stack.down;
    if (v >= 0) stack.up += v;
    else stack.down += v;
    stacks.set(key, stack);
    const a = value.position(base)!;
    const b = value.position(base + v)!;
    const [lo, size] = [Math.min(a, b), Math.abs(a - b)];
    const rect = vertical
      ? `x="${start.toFixed(1)}" y="${lo.toFixed(1)}" width="${band.bandwidth.toFixed(1)}" height="${size.toFixed(1)}"`
      : `x="${lo.toFixed(1)}" y="${start.toFixed(1)}" width="${size.toFixed(1)}" height="${band.bandwidth.toFixed(1)}"`;
    out.push(`<rect class="mark-bar" ${rect} fill="${colorOf(d.group)}">${tooltip(spec, d)}</rect>`);
  }
  return out;
}

function center(scale: Scale, value: unknown): number | undefined {
  const at = scale.position(value);
  return at === undefined ? undefined : at + scale.bandwidth / 2;
}

function points(
  spec: ChartSpec,
  data: Datum[],
  xs: Scale,
  ys: Scale,
  colorOf: (g: string) => string,
): string[] {
  return data.flatMap((d) => {
    const [x, y] = [center(xs, d.x), center(ys, d.y)];
    if (x === undefined || y === undefined) return [];
    return [
      `<circle class="mark-point" cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="3.5" fill="none" stroke="${colorOf(d.group)}" stroke-width="2">${tooltip(spec, d)}</circle>`,
    ];
  });
}

/** Lines: one per color group, through its points in x order. */
function lines(
  spec: ChartSpec,
  data: Datum[],
  xs: Scale,
  ys: Scale,
  colorOf: (g: string) => string,
): string[] {
  const groups = new Map<string, [number, number][]>();
  for (const d of data) {
    const [x, y] = [center(xs, d.x), center(ys, d.y)];
    if (x === undefined || y === undefined) continue;
    groups.set(d.group, [...(groups.get(d.group) ?? []), [x, y]]);
  }
  const out = [...groups].map(([group, at]) => {
    const path = at
      .sort((a, b) => a[0] - b[0])
      .map(([x, y], i) => `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`)
      .join("");
    return `<path class="mark-line" d="${path}" fill="none" stroke="${colorOf(group)}" stroke-width="2"/>`;
  });
  const withPoints = typeof spec.mark === "object" && spec.mark.point === true;
  return withPoints ? [...out, ...points(spec, data, xs, ys, colorOf)] : out;
}

function axes(
  spec: ChartSpec,
  xs: Scale,
  ys: Scale,
  size: { width: number; height: number; yLabels: number },
): string[] {
  const { width, height } = size;
  const out: string[] = [];
  for (const t of ys.ticks) {
    if (ys.kind === "linear")
      out.push(`<line x1="0" x2="${width}" y1="${t.at.toFixed(1)}" y2="${t.at.toFixed(1)}" stroke="#ddd"/>`);
    out.push(
      `<text x="-6" y="${t.at.toFixed(1)}" text-anchor="end" dominant-baseline="middle" ${FONT}>${escapeHtml(t.label)}</text>`,
    );
  }
  const every = Math.max(1, Math.ceil((xs.ticks.length * 48) / width));
  xs.ticks.forEach((t, i) => {
    if (xs.kind === "linear")
      out.push(`<line x1="${t.at.toFixed(1)}" x2="${t.at.toFixed(1)}" y1="0" y2="${height}" stroke="#eee"/>`);
    if (i % every === 0)
      out.push(
        `<text x="${t.at.toFixed(1)}" y="${height + 16}" text-anchor="middle" ${FONT}>${escapeHtml(t.label)}</text>`,
      );
  });
  out.push(`<line x1="0" x2="${width}" y1="${height}" y2="${height}" stroke="#888"/>`);
  out.push(`<line x1="0" x2="0" y1="0" y2="${height}" stroke="#888"/>`);
  out.push(
    `<text x="${width / 2}" y="${height + 34}" text-anchor="middle" font-weight="bold" ${FONT}>${escapeHtml(titleOf(spec.encoding.x))}</text>`,
    `<text transform="translate(${-Math.round(size.yLabels + 16)} ${height / 2}) rotate(-90)" text-anchor="middle" font-weight="bold" ${FONT}>${escapeHtml(titleOf(spec.encoding.y))}</text>`,
  );
  return out;
}

function legend(field: ChartField, groups: string[], colorOf: (g: string) => string, x: number): string[] {
  return [
    `<text x="${x}" y="4" font-weight="bold" ${FONT}>${escapeHtml(titleOf(field))}</text>`,
    ...groups.map(
      (g, i) =>
        `<rect x="${x}" y="${12 + i * 16}" width="10" height="10" fill="${colorOf(g)}"/><text x="${x + 14}" y="${21 + i * 16}" ${FONT}>${escapeHtml(g)}</text>`,
    ),
  ];
}

/**
 * What the axis of `channel` must cover: its values, except on a bar chart's value axis, which
 * must reach the tallest stack (bars sharing a band stack up, and down for negative values).
 */
function axisValues(spec: ChartSpec, data: Datum[], channel: "x" | "y"): unknown[] {
  const own = data.map((d) => d[channel]);
  const band = channel === "x" ? "y" : "x";
  if (markOf(spec) !== "bar" || !continuous(spec.encoding[channel])) return own;
  const sums = new Map<string, { up: number; down: number }>();
  for (const d of data) {
    const v = numeric(d[channel], spec.encoding[channel].type) ?? 0;
    const key = String(d[band]);
    const sum = sums.get(key) ?? { up: 0, down: 0 };
    if (v >= 0) sum.up += v;
    else sum.down += v;
    sums.set(key, sum);
  }
  // Each stack's ends; a 0 only where a stack has one, so `zero: false` can leave 0 out.
  return [...sums.values()].flatMap((s) => (s.down < 0 ? [s.up, s.down] : [s.up]));
}

/** The chart as an `<svg>` element; throws FS_CARD_BAD_COMPONENT for a spec outside the subset. */
export function renderChartSvg(spec: ChartSpec): string {
  checkChartSpec(spec);
  const { x, y, color } = spec.encoding;
  const data: Datum[] = spec.data.values
    .filter((row) => typeof row === "object" && row !== null)
    .map((row) => ({ x: row[x.field], y: row[y.field], group: color ? String(row[color.field]) : "", row }));
  const groups = [...new Set(data.map((d) => d.group))];
  const fixed = typeof spec.mark === "object" && spec.mark.color ? spec.mark.color : undefined;
  const colorOf = (g: string) =>
    escapeHtml(color ? PALETTE[groups.indexOf(g) % PALETTE.length]! : (fixed ?? PALETTE[0]!));
  const width = spec.width ?? 400;
  const height = spec.height ?? 240;
  const mark = markOf(spec);
  const xs = scaleFor(x, axisValues(spec, data, "x"), [0, width], mark === "bar");
  const ys = scaleFor(y, axisValues(spec, data, "y"), [height, 0], mark === "bar");
  const marks =
    mark === "bar"
      ? bars(spec, data, xs, ys, colorOf)
      : mark === "line"
        ? lines(spec, data, xs, ys, colorOf)
        : points(spec, data, xs, ys, colorOf);
  const top = spec.title ? 30 : 10;
  const yLabels = Math.max(0, ...ys.ticks.map((t) => labelWidth(t.label))) + 6;
  const left = Math.round(Math.max(60, yLabels + 28));
  // Room for the last x label, centred on the plot's right edge, or for the legend.
  const lastX = xs.ticks.at(-1);
  const overhang = lastX ? lastX.at + labelWidth(lastX.label) / 2 - width : 0;
  const right = color ? 130 : Math.round(Math.max(16, overhang + 4));
  const full = [left + width + right, top + height + 42];
  const plot =
    clipped(x) || clipped(y)
      ? [`<svg width="${width}" height="${height}" overflow="hidden">`, ...marks, "</svg>"]
      : marks;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="fs-chart" viewBox="0 0 ${full[0]} ${full[1]}" width="${full[0]}" height="${full[1]}" role="img" aria-label="${escapeHtml(spec.title ?? spec.description ?? `${mark} chart`)}">`,
    spec.title
      ? `<text x="${left + width / 2}" y="18" text-anchor="middle" font-family="system-ui, sans-serif" font-size="14" font-weight="bold" fill="#222">${escapeHtml(spec.title)}</text>`
      : "",
    `<g transform="translate(${left} ${top})">`,
    ...axes(spec, xs, ys, { width, height, yLabels }),
    ...plot,
    ...(color ? legend(color, groups, colorOf, width + 16) : []),
    "</g></svg>",
  ];
  return parts.join("");
}
