/**
 * Counts tasks per step as a run goes, prints a progress line now and then, and a summary at
 * the end.
 */
import type { FlowGraph } from "../graph/flow-graph.js";

interface StepCounts {
  queued: number;
  running: number;
  succeeded: number;
  failedAttempts: number;
  failed: number;
}

export class RunProgress {
  readonly #graph: FlowGraph;
  readonly #print: (line: string) => void;
  readonly #counts = new Map<string, StepCounts>();
  readonly #startedAt = Date.now();

  constructor(options: { graph: FlowGraph; print: (line: string) => void }) {
    this.#graph = options.graph;
    this.#print = options.print;
  }

  #of(step: string): StepCounts {
    let counts = this.#counts.get(step);
    if (!counts) {
      counts = { queued: 0, running: 0, succeeded: 0, failedAttempts: 0, failed: 0 };
      this.#counts.set(step, counts);
    }
    return counts;
  }

  queued(step: string): void {
    this.#of(step).queued++;
  }
  started(step: string): void {
    this.#of(step).running++;
  }
  succeeded(step: string): void {
    const c = this.#of(step);
    c.running--;
    c.succeeded++;
  }
  attemptFailed(step: string): void {
    const c = this.#of(step);
    c.running--;
    c.failedAttempts++;
  }
  failed(step: string): void {
    this.#of(step).failed++;
  }

  #totals(): StepCounts {
    const total = { queued: 0, running: 0, succeeded: 0, failedAttempts: 0, failed: 0 };
    for (const c of this.#counts.values()) {
      total.queued += c.queued;
      total.running += c.running;
      total.succeeded += c.succeeded;
      total.failedAttempts += c.failedAttempts;
      total.failed += c.failed;
    }
    return total;
  }

  printProgress(): void {
    const t = this.#totals();
    const steps = this.#graph.order
      .filter((s) => this.#counts.has(s))
      .map((s) => {
        const c = this.#of(s);
        return `${s} ${c.succeeded}/${c.queued}${c.running > 0 ? ` (${c.running} running)` : ""}`;
      });
    this.#print(
      `progress ${elapsed(this.#startedAt)}: ${t.succeeded}/${t.queued} tasks done, ${t.running} running, ${t.failed} failed — ${steps.join(", ")}`,
    );
  }

  printSummary(run: string, status: "succeeded" | "failed"): void {
    const t = this.#totals();
    const rows = this.#graph.order
      .filter((s) => this.#counts.has(s))
      .map((s) => {
        const c = this.#of(s);
        const retries =
          c.failedAttempts > 0
            ? `, ${c.failedAttempts} failed attempt${c.failedAttempts > 1 ? "s" : ""}`
            : "";
        return `  ${s.padEnd(20)} ${c.succeeded}/${c.queued} tasks succeeded${retries}`;
      });
    this.#print(
      `${status === "succeeded" ? "Done" : "Failed"}: run ${run} ${status} in ${elapsed(this.#startedAt)} (${t.succeeded} tasks succeeded${
        t.failedAttempts > 0 ? `, ${t.failedAttempts} failed attempts` : ""
      })`,
    );
    for (const row of rows) this.#print(row);
  }
}

function elapsed(since: number): string {
  const seconds = (Date.now() - since) / 1000;
  return seconds < 60
    ? `${seconds.toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
