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

/** Control characters as JSON writes them: a line break as \n, ESC as \u001b. */
function escapeControls(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
  return text.replace(/[\x00-\x1F\x7F]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** Prints an error the way users should see it and returns the exit code. */
export function reportError(error: unknown, debug = debugEnabled()): number {
  if (isFlowshipError(error)) {
    // A usage error is one line, and what it quotes is what the user typed: a line break or an
    // escape sequence in it is shown escaped, so it neither splits the line nor drives the terminal.
    const message = error.exitCode === EXIT.usage ? escapeControls(error.message) : error.message;
    process.stderr.write(`error: ${message}\n`);
    if (debug) writeStacks(error);
    return error.exitCode;
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`Internal error in flowship (please report it): ${stack}\n`);
  return EXIT.internal;
}
