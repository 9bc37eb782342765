import { fileURLToPath } from "node:url";

/** Where in the user's source a flow, step or parameter was declared. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

const FRAME = /\(?((?:file:\/\/)?\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?$/;

/**
 * The frame that called `api` (a flowship function): the line of the user's flow file. Under tsx,
 * or with source maps on, it points at the TypeScript line the user wrote.
 */
export function callerLocation(api: Function): SourceLocation | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, api);
  for (const frame of holder.stack?.split("\n").slice(1) ?? []) {
    const match = FRAME.exec(frame.trim());
    if (!match) continue;
    const file = match[1]!.startsWith("file://") ? fileURLToPath(match[1]!) : match[1]!;
    return { file, line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

export function formatLocation(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}` : "<unknown location>";
}
