import { fileURLToPath } from "node:url";
import { originalPosition } from "../util/original-position.js";

/** Where in the user's source a flow, step or parameter was declared. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?$/;

/**
 * The frame that called `api` (a flowship function): the line of the user's flow file. The flow
 * is imported from its compiled bundle with source maps off (they cost ~130 ms a run), so the frame
 * is a bundle position; it is mapped to the TypeScript line the user wrote when first read, which
 * a run that reports no mistake never does. Under tsx the frame is the TypeScript line already.
 */
export function callerLocation(api: Function): SourceLocation | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, api);
  for (const frame of holder.stack?.split("\n").slice(1) ?? []) {
    const match = FRAME.exec(frame.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    return lazyLocation({ file, line: Number(match[2]), column: Number(match[3]) });
  }
  return undefined;
}

/** A location whose fields are mapped from `raw` on first read; enumerable, so it spreads and serializes. */
function lazyLocation(raw: SourceLocation): SourceLocation {
  let mapped: SourceLocation | undefined;
  const resolve = (): SourceLocation => {
    mapped ??= originalPosition(raw);
    return mapped;
  };
  return Object.defineProperties({} as SourceLocation, {
    file: { get: () => resolve().file, enumerable: true },
    line: { get: () => resolve().line, enumerable: true },
    column: { get: () => resolve().column, enumerable: true },
  });
}

export function formatLocation(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}` : "<unknown location>";
}
