/**
 * Times in a schedule's IANA time zone, both ways, with Intl alone: what a person means by
 * "2026-10-25" or "2026-10-25T09:00" in Europe/Berlin, and how a fire time reads there.
 */
import { parseIsoInstant } from "../../util/iso-time.js";

const DAY_MS = 86_400_000;

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/**
 * Date.UTC for any year: Date.UTC reads years 0 to 99 as 1900 to 1999, setUTCFullYear does not.
 */
function utcMs(y: number, mo: number, d: number, h: number, mi: number, s: number): number {
  const date = new Date(Date.UTC(2000, mo - 1, d, h, mi, s));
  date.setUTCFullYear(y, mo - 1, d);
  return date.getTime();
}

/** The wall-clock fields of `date` in `timezone`. */
function wallClock(date: Date, timezone: string): number[] {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    era: "short",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(date);
  const field = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  // Intl counts years before 1 in eras (year 0 is "1 BC"); ISO 8601 counts 0, -1, …
  const year = parts.find((p) => p.type === "era")?.value === "BC" ? 1 - field("year") : field("year");
  return [year, field("month"), field("day"), field("hour"), field("minute"), field("second")];
}

/** Milliseconds `timezone` is ahead of UTC at `date`. */
function offsetAt(date: Date, timezone: string): number {
  const [y, mo, d, h, mi, s] = wallClock(date, timezone) as [number, number, number, number, number, number];
  return utcMs(y, mo, d, h, mi, s) - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * The instant `text` names: an ISO date or date and time with `Z` or an offset as written, else
 * a date (midnight) or date and time on the wall clock of `timezone`. A wall-clock time skipped by
 * a daylight-saving change counts as the instant an hour later; one that happens twice, the first.
 */
export function parseZonedTime(text: string, timezone: string): Date | undefined {
  return resolveZonedTime(text, timezone)?.date;
}

/**
 * Whether `text` is a wall-clock time without a zone that `timezone` skips (clocks jump forward
 * over it), such as 2026-03-29T02:30 in Europe/Berlin.
 */
export function inDaylightSavingGap(text: string, timezone: string): boolean {
  return resolveZonedTime(text, timezone)?.gap === true;
}

function resolveZonedTime(text: string, timezone: string): { date: Date; gap: boolean } | undefined {
  const match = LOCAL.exec(text.trim());
  if (!match) {
    const date = parseIsoInstant(text);
    return date && { date, gap: false };
  }
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = match;
  if (parseIsoInstant(`${y}-${mo}-${d}`) === undefined || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return undefined;
  const fields = [y, mo, d, h, mi, s].map(Number);
  const wall = utcMs(fields[0]!, fields[1]!, fields[2]!, fields[3]!, fields[4]!, fields[5]!);
  // The zone's offsets a day before and a day after: the same but around a change. A reading
  // that shows this wall clock is right; at a change both may (then the first) or neither may.
  const before = wall - offsetAt(new Date(wall - DAY_MS), timezone);
  const after = wall - offsetAt(new Date(wall + DAY_MS), timezone);
  const valid = [before, after].filter((t) =>
    wallClock(new Date(t), timezone).every((v, i) => v === fields[i]),
  );
  // In a gap (clocks jump forward) the offset from before the change names the instant an hour later.
  return { date: new Date(valid.length > 0 ? Math.min(...valid) : before), gap: valid.length === 0 };
}

/**
 * Whether `date` is the first instant its wall clock reads as it does in `timezone`: false for the
 * second pass through an hour that the fall-back change repeats.
 */
export function isFirstOccurrence(date: Date, timezone: string): boolean {
  const local = formatInZone(date, timezone).slice(0, -6);
  return parseZonedTime(local, timezone)?.getTime() === Math.floor(date.getTime() / 1000) * 1000;
}

/** `date` as its wall clock in `timezone` shows it, with the offset: `2026-10-25T00:00:00+02:00`. */
export function formatInZone(date: Date, timezone: string): string {
  const [y, mo, d, h, mi, s] = wallClock(date, timezone).map((n, i) =>
    String(n).padStart(i === 0 ? 4 : 2, "0"),
  );
  const minutes = Math.round(offsetAt(date, timezone) / 60_000);
  const sign = minutes < 0 ? "-" : "+";
  const abs = Math.abs(minutes);
  const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`;
}
