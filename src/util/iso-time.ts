/**
 * ISO 8601 instants as flowship accepts them from people and from AWS: a date, or a date and time
 * with `Z` or an offset. A time without a zone is refused here: which zone it means depends on
 * the caller (a schedule's time zone, see aws/schedule/zoned-time.ts).
 */

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/i;

/**
 * The instant `text` names, or undefined when it is not an ISO date (midnight UTC) or an ISO date
 * and time with its zone. Impossible dates (Feb 30) are refused, not rolled over.
 */
export function parseIsoInstant(text: string): Date | undefined {
  const match = ISO_INSTANT.exec(text.trim());
  if (!match) return undefined;
  const [, year, month, day, hour] = match;
  const date = new Date(hour === undefined ? `${year}-${month}-${day}T00:00:00Z` : text.trim());
  if (Number.isNaN(date.getTime())) return undefined;
  // Date rolls Feb 30 over into March; the calendar day must be the one written.
  // setUTCFullYear, not Date.UTC, which reads years 0 to 99 as 1900 to 1999.
  const check = new Date(0);
  check.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  if (check.getUTCMonth() !== Number(month) - 1 || check.getUTCDate() !== Number(day)) return undefined;
  return date;
}
