/**
 * Where the ticks of a card chart's continuous axes go and how they read: "nice" numbers (1, 2 or
 * 5 times a power of ten, as Vega's are), round instants for time, and one number format per axis
 * so its labels read alike (`0.5M`, `1.0M`, never `500,000` beside `1M`).
 */

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

const UNITS: [number, string][] = [
  [1e12, "T"],
  [1e9, "G"],
  [1e6, "M"],
];

/**
 * One format for every label of an axis whose ticks are `step` apart and reach `largest` (in
 * absolute value): millions and up in the unit of the largest (`0.5M`, `1.0M`, `1.5M`), smaller
 * numbers with thousands separators; as many decimals as the step needs, the same on each label.
 */
export function tickFormat(step: number, largest: number): (value: number) => string {
  const [divisor, suffix] = UNITS.find(([size]) => largest >= size) ?? [1, ""];
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step / divisor) + 1e-9)));
  const format = new Intl.NumberFormat("en-US", {
    minimumFractionDigits: decimals,
    maximumFractionDigits: decimals,
  });
  return (value) => {
    // A bare 0 reads better than 0.0M on an axis of millions.
    if (value === 0 && suffix !== "") return "0";
    const text = format.format(value / divisor);
    return `${text === "-0" ? "0" : text}${suffix}`;
  };
}

const SECOND = 1000;
export const DAY = 24 * 3600 * SECOND;
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
