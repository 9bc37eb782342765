/**
 * What the command does when whoever reads its output goes away (`flowship … | head -2`): the
 * write fails with EPIPE, which Node turns into an unhandled 'error' event — a crash with a stack
 * trace, and for `run`, a runtime killed mid-run with its tasks orphaned. Instead the stream is
 * left quiet: a command goes on (a run finishes; its output is in the datastore anyway) and exits
 * with its own status.
 */
export function toleratePipeReadersGoingAway(): void {
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount("error") > 0) continue;
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") return;
      throw error;
    });
  }
}
