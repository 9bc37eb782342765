/**
 * A run's JSON, started as soon as its page's HTML is asked for: the browser then loads the
 * front-end (a few hundred ms on a busy machine) while the server already reads the run, and the
 * page's own request for the JSON takes that read instead of starting another. Reads are shared
 * while in flight (two tabs polling one run share them too); a read made ahead is kept for the
 * first request after it, for a few seconds at most, so an answer is never older than the gap
 * between a page and its first request.
 */
import type { RunView } from "./views.js";

const RUN_PAGE = /^\/flows\/([^/]+)\/runs\/([^/]+)\/?$/;
/** How long a read made ahead waits for its page's request. */
const KEEP_AHEAD_MS = 10_000;

export class RunViews {
  readonly #read: (flow: string, run: string) => Promise<RunView>;
  readonly #inFlight = new Map<string, Promise<RunView>>();
  readonly #ahead = new Map<string, Promise<RunView>>();

  constructor(read: (flow: string, run: string) => Promise<RunView>) {
    this.#read = read;
  }

  get(flow: string, run: string): Promise<RunView> {
    const key = JSON.stringify([flow, run]);
    const ahead = this.#ahead.get(key);
    if (ahead) {
      this.#ahead.delete(key);
      return ahead;
    }
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
    let key: string;
    try {
      key = JSON.stringify([decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)]);
    } catch {
      return;
    }
    if (this.#ahead.has(key)) return;
    const [flow, run] = JSON.parse(key) as [string, string];
    const reading = this.get(flow, run);
    reading.catch(() => {});
    this.#ahead.set(key, reading);
    setTimeout(() => {
      if (this.#ahead.get(key) === reading) this.#ahead.delete(key);
    }, KEEP_AHEAD_MS).unref();
  }
}
