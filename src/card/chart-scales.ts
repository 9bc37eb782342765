/**
 * Scales of the card charts: a linear one for quantitative and temporal fields (with "nice"
 * ticks at 1, 2 or 5 times a power of ten, as Vega's are) and a band one for ordinal and nominal
 * fields (sorted ascending, Vega-Lite's default). Each maps a value to a pixel position.
 */
import type { FieldType } from "./chart-spec.js";

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
 * The most ticks an axis gets. Extreme values (near Number.MAX_VALUE, or so large that a step is
 * below the float spacing) would otherwise make the tick loops run forever and exhaust memory.
 */
const MAX_TICKS = 1000;

function checkRange(min: number, max: number): void {
  if (!(Number.isFinite(min) && Number.isFinite(max) && Number.isFinite(max - min)))
    throw new Error("its values are too large to draw on an axis");
}

/** Tick values from `min` to `max`: about `count` of them, 1, 2 or 5 times a power of ten apart. */
export function niceTicks(min: number, max: number, count = 5): { step: number; values: number[] } {
  checkRange(min, max);
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) / 2;
    return niceTicks(min - pad, max + pad, count);
  }
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const values: number[] = [];
  const last = Math.ceil(max / step) * step;
  const first = Math.floor(min / step) * step;
  checkRange(first, last);
  for (let v = first; v <= last + step * 1e-9 && values.length < MAX_TICKS; v += step) {
    // Rounded to the step's precision: 0.1 + 0.2 drifts otherwise.
    values.push(Number(v.toPrecision(12)));
    if (v + step === v) break; // the step is below the float spacing here
  }
  return { step, values };
}

/** A number as an axis label: `1,200`, `0.25`, `3.5M`. */
export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) {
    const [divisor, suffix] = abs >= 1e12 ? [1e12, "T"] : abs >= 1e9 ? [1e9, "G"] : [1e6, "M"];
    return `${Number((value / divisor).toPrecision(3))}${suffix}`;
  }
  if (abs >= 1000) return Math.round(value).toLocaleString("en-US");
  return String(Number(value.toPrecision(6)));
}

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;
/** Steps between time ticks up to a week, as Vega's time scales choose them. */
const TIME_STEPS = [
  1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800,
].map((s) => s * SECOND);
const MONTH_STEPS = [1, 3, 6, 12, 24, 60, 120, 600];

/**
 * Tick times from `min` to `max` (ms) at round instants — whole minutes, hours, UTC days, month
 * or year starts — with labels that fit the step: `14:30`, `01-02` at a midnight, `2024-03`, `2024`.
 */
export function timeTicks(
  min: number,
  max: number,
  count = 5,
): { values: number[]; label: (ms: number) => string } {
  checkRange(min, max);
  const raw = (max - min) / count;
  const step = TIME_STEPS.find((s) => s >= raw);
  if (step !== undefined) {
    const values: number[] = [];
    for (let t = Math.ceil(min / step) * step; t <= max && values.length < MAX_TICKS; t += step) {
      values.push(t);
      if (t + step === t) break; // the step is below the float spacing here
    }
    const label = (ms: number) => {
      const iso = new Date(ms).toISOString();
      if (step >= DAY || ms % DAY === 0) return iso.slice(step >= DAY ? 0 : 5, 10);
      return step < 60 * SECOND ? iso.slice(11, 19) : iso.slice(11, 16);
    };
    return { values, label };
  }
  const months = MONTH_STEPS.find((m) => m * 30.44 * DAY >= raw) ?? 1200;
  const start = new Date(min);
  let month = start.getUTCFullYear() * 12 + start.getUTCMonth();
  month = Math.ceil(month / months) * months;
  const values: number[] = [];
  for (
    let t = Date.UTC(Math.floor(month / 12), month % 12);
    t <= max && values.length < MAX_TICKS && Number.isFinite(t);
    t = Date.UTC(Math.floor(month / 12), month % 12)
  ) {
    if (t >= min) values.push(t);
    month += months;
  }
  return { values, label: (ms) => new Date(ms).toISOString().slice(0, months % 12 === 0 ? 4 : 7) };
}

/**
 * A linear scale over `values` onto [from, to] (to < from for a y axis); `zero` keeps 0 in the
 * domain (Vega-Lite's default for quantitative x and y).
 */
export function linearScale(
  values: number[],
  type: FieldType,
  range: [number, number],
  zero: boolean,
): Scale {
  let min = values.length > 0 ? Math.min(...values) : 0;
  let max = values.length > 0 ? Math.max(...values) : 1;
  if (zero) {
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
    // Quantitative axes end on a tick (Vega-Lite's `nice`).
    const nice = niceTicks(min, max).values;
    [min, max] = [nice[0]!, nice.at(-1)!];
    ticks = nice.map((value) => ({ value, label: formatNumber(value) }));
  }
  const [from, to] = range;
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

/** A band scale: one band per distinct value, in ascending order, with padding between bands. */
export function bandScale(values: unknown[], range: [number, number]): Scale {
  const domain = [...new Set(values.map((v) => (typeof v === "number" ? v : String(v))))].sort(compareValues);
  const [from, to] = range;
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
