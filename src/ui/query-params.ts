/**
 * The UI server's reading of what an address carries — its path's names and its query's values:
 * anything it cannot use is a BadQueryError (a 400 naming the value and what to give instead),
 * never a silent default, an empty answer or a 500.
 */
import { FlowshipError } from "../errors.js";

/** A query parameter of the UI's JSON API that does not parse (a time, a number, a flow name): answered 400. */
export class BadQueryError extends FlowshipError {
  constructor(message: string) {
    super("FS_UI_BAD_QUERY", message);
  }
}

/** A run's status as the flow page filters by it. */
export const RUN_STATUSES = ["running", "succeeded", "failed", "killed"] as const;

/** The `/`-separated parts of an address, decoded; a `%` that does not begin a character is refused. */
export function decodeParts(parts: string[], pathname: string): string[] {
  try {
    return parts.map(decodeURIComponent);
  } catch {
    throw new BadQueryError(
      `Malformed address '${pathname}': each '%' must begin the encoding of a character (such as %20 for a space).`,
    );
  }
}

/** Whether a text that starts with a day (`2026-02-30…`) names one in the calendar: Date.parse rolls it over. */
function realDay(text: string): boolean {
  const day = /^(\d{4})-(\d\d)-(\d\d)/.exec(text);
  if (!day) return true;
  const date = new Date(0);
  date.setUTCFullYear(Number(day[1]), Number(day[2]) - 1, Number(day[3]));
  return date.toISOString().slice(0, 10) === day[0];
}

export function timeParam(query: URLSearchParams, name: string): number | undefined {
  const text = query.get(name);
  if (!text) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at) || !realDay(text)) {
    throw new BadQueryError(
      `Invalid ${name} '${text}': give a date or time such as 2026-05-01 or 2026-05-01T12:00Z.`,
    );
  }
  return at;
}

export function numberParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const text = query.get(name);
  if (text === null || text === "") return fallback;
  if (!/^\d+$/.test(text)) throw new BadQueryError(`Invalid ${name} '${text}': give a whole number.`);
  return Math.min(Number(text), max);
}

/** `stream`: which log of an attempt, stdout when not given. */
export function streamParam(query: URLSearchParams): "stdout" | "stderr" {
  const stream = query.get("stream") || "stdout";
  if (stream !== "stdout" && stream !== "stderr") {
    throw new BadQueryError(`Invalid stream '${stream}': give stdout or stderr.`);
  }
  return stream;
}

/** `attempt`: a task's attempt number, or undefined for its latest. */
export function attemptParam(query: URLSearchParams): number | undefined {
  const text = query.get("attempt");
  if (text === null || text === "") return undefined;
  if (!/^\d{1,9}$/.test(text)) {
    throw new BadQueryError(`Invalid attempt '${text}': give a whole number (0 is the first attempt).`);
  }
  return Number(text);
}

export function statusParam(query: URLSearchParams): string | undefined {
  const status = query.get("status") || undefined;
  if (status !== undefined && !(RUN_STATUSES as readonly string[]).includes(status)) {
    throw new BadQueryError(`Invalid status '${status}': give one of ${RUN_STATUSES.join(", ")}.`);
  }
  return status;
}
