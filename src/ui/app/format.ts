/** Times (in UTC or the browser's zone, as the header's toggle says), durations and sizes for people. */

export type TimeZone = "utc" | "local";
const ZONE_KEY = "flowship.timezone";

let zone: TimeZone = (() => {
  try {
    return localStorage.getItem(ZONE_KEY) === "local" ? "local" : "utc";
  } catch {
    return "utc";
  }
})();

export const timeZone = (): TimeZone => zone;

export function setTimeZone(next: TimeZone): void {
  zone = next;
  try {
    localStorage.setItem(ZONE_KEY, next);
  } catch {
    // A browser that keeps no storage forgets the choice on reload; nothing else changes.
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `2026-05-01 12:03:04Z` in UTC, `2026-05-01 14:03:04` in the browser's zone. */
export function when(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (zone === "utc")
    return d
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** A time of day to the second, for log lines. */
export function clock(ms: number): string {
  const d = new Date(ms);
  return zone === "utc"
    ? d.toISOString().slice(11, 19)
    : `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "3 min ago", "in 2 h", from `now` (the server's clock where it is known). */
export function ago(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "";
  const ms = now - Date.parse(iso);
  if (Math.abs(ms) < 1000) return "just now";
  const text = duration(Math.abs(ms), true);
  return ms >= 0 ? `${text} ago` : `in ${text}`;
}

export function duration(ms: number, rough = false): string {
  if (ms < 1000) return rough ? "just now" : `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return rough ? `${Math.floor(s)} s` : `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return rough ? `${m} min` : `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48 || !rough) return rough ? `${h} h` : `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} days`;
}

export function between(start: string, end: string | undefined, now: string): string {
  return duration(Date.parse(end ?? now) - Date.parse(start));
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export const plural = (n: number, word: string) =>
  `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
