import { debugEnabled } from "../config.js";
import { isFlowshipError } from "../errors.js";

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130, internal: 70 } as const;

/** Prints an error the way users should see it and returns the exit code. */
export function reportError(error: unknown, debug = debugEnabled()): number {
  if (isFlowshipError(error)) {
    process.stderr.write(`error: ${error.message}\n`);
    if (debug && error.stack) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Internal error in flowship (please report it): ${stack}\n`);
  return EXIT.internal;
}
