/**
 * A log's time index, beside the log: `<byte offset> <epoch ms>` lines, one whenever the second
 * changes between two logged lines. A reader dates a line by the last entry at or before its
 * offset, to the second, without the log's bytes changing (what a step prints is stored as is).
 */
import fs from "node:fs";

/** `0.stdout.log` → `0.stdout.times`. */
export function logTimesFile(logFile: string): string {
  return `${logFile.replace(/\.log$/, "")}.times`;
}

// Both looks are made for every attempt's two logs, mostly of files not there yet: without an
// exception for a missing file (throwIfNoEntry), which costs more than the look itself.
function sizeOf(file: string): number {
  try {
    return fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  } catch {
    return 0;
  }
}

export class LogTimes {
  readonly #file: string;
  #offset: number;
  #second = -1;
  #failed = false;

  /** Starts at the log's current end: lines are appended after what is there. */
  constructor(logFile: string) {
    this.#file = logTimesFile(logFile);
    this.#offset = sizeOf(logFile);
    // A link planted in its place could lead out of the datastore (docs/reliability.md): not followed.
    try {
      this.#failed = fs.lstatSync(this.#file, { throwIfNoEntry: false })?.isSymbolicLink() ?? false;
    } catch {
      this.#failed = false;
    }
  }

  /** A line of `bytes` bytes (its newline included) is being appended to the log now. */
  line(bytes: number): void {
    const now = Date.now();
    if (Math.floor(now / 1000) !== this.#second && !this.#failed) {
      this.#second = Math.floor(now / 1000);
      try {
        fs.appendFileSync(this.#file, `${this.#offset} ${now}\n`);
      } catch {
        // The log's own writer says when the disk is full; lines then go undated, nothing fails.
        this.#failed = true;
      }
    }
    this.#offset += bytes;
  }
}

/** Parses a time index; entries in offset order. Malformed lines (a torn last line) are skipped. */
export function parseLogTimes(text: string): [offset: number, ms: number][] {
  const entries: [number, number][] = [];
  for (const line of text.split("\n")) {
    const match = /^(\d+) (\d+)$/.exec(line);
    if (match) entries.push([Number(match[1]), Number(match[2])]);
  }
  return entries;
}
