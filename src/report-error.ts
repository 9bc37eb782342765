import { debugEnabled } from "./config.js";
import { isFlowshipError } from "./errors.js";

export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130, internal: 70 } as const;

/** The error's stack and those of its causes, which hold the user's frames when flowship wrapped an error. */
function writeStacks(error: Error): void {
  let current: unknown = error;
  for (let depth = 0; current instanceof Error && depth < 5; depth++) {
    process.stderr.write(`${depth > 0 ? "Caused by: " : ""}${current.stack ?? current.message}\n`);
    current = current.cause;
  }
}

/** Prints an error the way users should see it and returns the exit code. */
export function reportError(error: unknown, debug = debugEnabled()): number {
  if (isFlowshipError(error)) {
    process.stderr.write(`error: ${error.message}\n`);
    if (debug) writeStacks(error);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Internal error in flowship (please report it): ${stack}\n`);
  return EXIT.internal;
}
