/**
 * What the command does when whoever reads its output goes away (`flowship … | head -2`): the
 * write fails with EPIPE, which Node turns into an unhandled 'error' event — a crash with a stack
 * trace, and for `run`, a runtime killed mid-run with its tasks orphaned. Instead the stream is
 * left quiet: a command goes on (a run finishes; its output is in the datastore anyway) and exits
 * with its own status.
 *
 * Output that could not be written for another reason (`card get > report.html` on a full disk)
 * is lost, not declined: that is said in one line on stderr, and the command fails (exit 1).
 */
let outputLost = false;

/** Whether `error` (of a write to stdout) lost the output; the first such loss is said on stderr. */
export function reportLostOutput(error: NodeJS.ErrnoException | null | undefined): boolean {
  if (!error || error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return false;
  if (!outputLost) {
    outputLost = true;
    process.stderr.write(
      `error: Could not write the output to stdout (${error.message}); free space or send it elsewhere.\n`,
    );
  }
  return true;
}

/** Whether some output to stdout was lost (reportLostOutput said so): the command then exits 1. */
export const wasOutputLost = (): boolean => outputLost;

let tolerating = false;

export function toleratePipeReadersGoingAway(): void {
  // Once (both doors call it), and whoever else listens: a stream piped into stdout adds a listener
  // that leaves when the error comes and then, alone, would throw it.
  if (tolerating) return;
  tolerating = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
      if (stream === process.stdout && reportLostOutput(error)) {
        process.exitCode = 1;
        return;
      }
      throw error;
    });
  }
}
