/**
 * Ends the process with `code` once what it wrote to stdout and stderr has been handed on, even
 * if the user's code left a timer, a socket or a child holding the event loop open: a command
 * or a task is over when its work is, not when everything it touched lets go.
 */
export function exitWhenFlushed(code: number): void {
  process.stdout.write("", () => process.stderr.write("", () => process.exit(code)));
}
