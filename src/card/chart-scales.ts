/**
 * Scales of the card charts: a linear one for quantitative and temporal fields (ending on "nice"
 * ticks unless its domain is given) and a band one for ordinal and nominal fields (sorted
 * ascending, Vega-Lite's default, unless a sort or domain says otherwise). Each maps a value to a
 * pixel position.
 */
import { type ChartSort, type FieldType, numeric } from "./chart-spec.js";
import { DAY, niceTicks, tickFormat, timeTicks } from "./chart-ticks.js";

export interface Tick {
  at: number;
  label: string;
}

export interface Scale {
  kind: "linear" | "band";
  /** The pixel position of a value (a band's start for band scales), or undefined when it has none. */
  position(value: unknown): number | undefined;
  /** For band scales: the width of a band. */
  bandwidth: number;
  ticks: Tick[];
}

export interface LinearScaleOptions {
  values: number[];
  type: FieldType;
  /** Pixels of the domain's start and end (to < from for a y axis). */
  range: [number, number];
  /** Keep 0 in the domain (Vega-Lite's default for quantitative x and y). */
  zero: boolean;
  /** The domain's ends as given by the spec: used as they are, ticks inside them. */
  domain?: [number, number] | undefined;
  /** Draw the axis from its maximum (`sort: "descending"`). */
  reverse?: boolean;
}

/** A linear scale over `values` (or the given domain) onto `range`. */
export function linearScale(options: LinearScaleOptions): Scale {
  const { values, type, zero, domain } = options;
  let [min, max] = domain ?? [
    values.length > 0 ? Math.min(...values) : 0,
    values.length > 0 ? Math.max(...values) : 1,
  ];
  if (zero && !domain) {
    min = Math.min(min, 0);
    max = Math.max(max, 0);
  }
  let ticks: { value: number; label: string }[];
  if (type === "temporal") {
    if (min === max) [min, max] = [min - DAY / 2, max + DAY / 2];
    // A Date holds ±8.64e15 ms; past that a time has no label (and ticks no float spacing).
    if (!(Math.abs(min) <= 8.64e15 && Math.abs(max) <= 8.64e15))
      throw new Error("its times are outside the range of dates");
    const time = timeTicks(min, max);
    ticks = time.values.map((value) => ({ value, label: time.label(value) }));
  } else {
    const nice = niceTicks(min, max);
    // Without a given domain, the axis ends on a tick (Vega-Lite's `nice`); with one, it keeps its ends.
    if (domain)
      nice.values = nice.values.filter((v) => v >= min - nice.step * 1e-9 && v <= max + nice.step * 1e-9);
    else [min, max] = [nice.values[0]!, nice.values.at(-1)!];
    const format = tickFormat(nice.step, Math.max(...nice.values.map(Math.abs)));
    ticks = nice.values.map((value) => ({ value, label: format(value) }));
  }
  const [from, to] = options.reverse ? [options.range[1], options.range[0]] : options.range;
  const at = (v: number) => from + ((v - min) / (max - min)) * (to - from);
  return {
    kind: "linear",
    position: (value) => {
      const n = numeric(value, type);
      return n === undefined ? undefined : at(n);
    },
    bandwidth: 0,
    ticks: ticks.map((t) => ({ at: at(t.value), label: t.label })),
  };
}

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), "en", { numeric: true });
}

/** The categories of a band axis in the order drawn: Vega-Lite's `sort`, or the given domain. */
function bandDomain(values: unknown[], sort: ChartSort | undefined, domain: readonly unknown[] | undefined) {
  if (domain) return [...new Set(domain)];
  // In order of first appearance: what `sort: null` draws, and the tie-break of a sort list.
  const seen = [...new Set(values.map((v) => (typeof v === "number" ? v : String(v))))];
  if (sort === null) return seen;
  if (Array.isArray(sort)) {
    const rank = new Map(sort.map((v, i) => [String(v), i]));
    const ranked = (v: unknown) => rank.get(String(v)) ?? sort.length;
    return seen
      .map((v, i) => [v, i] as const)
      .sort(([a, i], [b, j]) => ranked(a) - ranked(b) || i - j)
      .map(([v]) => v);
  }
  const ascending = seen.sort(compareValues);
  return sort === "descending" ? ascending.reverse() : ascending;
}

export interface BandScaleOptions {
  values: unknown[];
  /** Pixels of the first band's start and the last band's end. */
  range: [number, number];
  sort?: ChartSort | undefined;
  domain?: readonly unknown[] | undefined;
}

/** A band scale: one band per category, with padding between bands. */
export function bandScale(options: BandScaleOptions): Scale {
  const domain = bandDomain(options.values, options.sort, options.domain);
  const [from, to] = options.range;
  const step = (to - from) / Math.max(domain.length, 1);
  const index = new Map(domain.map((v, i) => [String(v), i]));
  const padding = 0.1;
  return {
    kind: "band",
    position: (value) => {
      const i = index.get(String(value));
      return i === undefined ? undefined : from + step * i + (step * padding) / 2;
    },
    bandwidth: Math.abs(step) * (1 - padding),
    ticks: domain.map((v, i) => ({ at: from + step * (i + 0.5), label: String(v) })),
  };
}
