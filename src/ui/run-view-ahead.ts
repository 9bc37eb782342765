/**
 * A run's JSON, started as soon as its page's HTML is asked for: the browser then loads the
 * front-end (a few hundred ms on a busy machine) while the server already reads the run, and the
 * page's own request for the JSON joins that read instead of starting another. Reads are shared
 * only while in flight (two tabs polling one run share them too), so an answer is never older
 * than the request that asked for it, give or take that gap.
 */
import type { RunView } from "./views.js";

const RUN_PAGE = /^\/flows\/([^/]+)\/runs\/([^/]+)\/?$/;

export class RunViews {
  readonly #read: (flow: string, run: string) => Promise<RunView>;
  readonly #inFlight = new Map<string, Promise<RunView>>();

  constructor(read: (flow: string, run: string) => Promise<RunView>) {
    this.#read = read;
  }

  get(flow: string, run: string): Promise<RunView> {
    const key = JSON.stringify([flow, run]);
    let reading = this.#inFlight.get(key);
    if (!reading) {
      reading = this.#read(flow, run);
      this.#inFlight.set(key, reading);
      const done = () => this.#inFlight.delete(key);
      reading.then(done, done);
    }
    return reading;
  }

  /** Starts reading the run whose page `pathname` is, if it is one; its failure is the API's to report. */
  ahead(pathname: string): void {
    const match = RUN_PAGE.exec(pathname);
    if (!match) return;
    let flow: string;
    let run: string;
    try {
      flow = decodeURIComponent(match[1]!);
      run = decodeURIComponent(match[2]!);
    } catch {
      return;
    }
    this.get(flow, run).catch(() => {});
  }
}
