/**
 * Names that sort in the order they were made. A millisecond clock gives two changes made in the
 * same millisecond the same time, and whatever follows it then decides their order: an add and a
 * remove of one tag could apply the wrong way round. These stamps count microseconds and never
 * repeat or go back within a process, so one script's changes sort as it made them; changes from
 * processes running at the same moment sort by their microsecond.
 */
import { performance } from "node:perf_hooks";

let last = 0;

/** Microseconds since the epoch, strictly greater than the previous stamp of this process. */
export function orderedMicros(): number {
  const now = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  last = Math.max(now, last + 1);
  return last;
}

/**
 * `<15-digit milliseconds>.<3-digit microseconds>`: text that sorts as the stamps do. It begins
 * with the millisecond names used before, which it sorts after within the same millisecond.
 */
export function orderedStampText(micros = orderedMicros()): string {
  const millis = Math.floor(micros / 1000);
  return `${String(millis).padStart(15, "0")}.${String(micros % 1000).padStart(3, "0")}`;
}
