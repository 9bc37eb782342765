/**
 * Ends the process with `code` once what it wrote to stdout and stderr has been handed on, even
 * if the user's code left a timer, a socket or a child holding the event loop open: a command
 * or a task is over when its work is, not when everything it touched lets go.
 *
 * With `lostOutputFails` (the CLI), a command that succeeded but whose stdout could not be
 * written — `card get > report.html` on a full disk — exits 1 with a line saying so, where it
 * would exit 0 with its output lost (the write's 'error' event would come after the exit).
 */
import { reportLostOutput, wasOutputLost } from "./closed-pipes.js";

export function exitWhenFlushed(code: number, options: { lostOutputFails?: boolean } = {}): void {
  process.stdout.write("", (error?: Error | null) => {
    const lost =
      options.lostOutputFails === true &&
      code === 0 &&
      (reportLostOutput(error as NodeJS.ErrnoException) || wasOutputLost());
    process.stderr.write("", () => process.exit(lost ? 1 : code));
  });
}
