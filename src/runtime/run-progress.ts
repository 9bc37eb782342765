/**
 * Counts tasks per step as a run goes, prints a progress line now and then, and a summary at
 * the end.
 */
import type { FlowGraph } from "../graph/flow-graph.js";

/**
 * Tasks of one step by outcome, counted the way the Client API sees them: a failure caught by
 * catchError is not a success (Metaflow's `successful` is false for it too), and a task the
 * runtime stopped because another one failed is cancelled, not failed.
 */
interface StepCounts {
  queued: number;
  running: number;
  succeeded: number;
  caught: number;
  /** Failed for good: out of attempts, or not retryable. */
  failed: number;
  cancelled: number;
  /** Failed attempts that were tried again. */
  retried: number;
}

const ZERO: StepCounts = {
  queued: 0,
  running: 0,
  succeeded: 0,
  caught: 0,
  failed: 0,
  cancelled: 0,
  retried: 0,
};

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
      counts = { ...ZERO };
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
  /** The task ended so that the flow goes on; `caught` when catchError handled its failure. */
  succeeded(step: string, caught = false): void {
    const c = this.#of(step);
    c.running--;
    if (caught) c.caught++;
    else c.succeeded++;
  }
  /** An attempt was stopped before it began (it waited for a task host): like a task never launched. */
  withdrawn(step: string): void {
    this.#of(step).running--;
  }
  /** An attempt died and a fallback attempt records its failure for catchError: not a retry. */
  handedToFallback(step: string): void {
    this.#of(step).running--;
  }
  /** An attempt failed; `outcome` says what became of its task. */
  attemptFailed(step: string, outcome: "retried" | "failed" | "cancelled"): void {
    const c = this.#of(step);
    c.running--;
    c[outcome]++;
  }

  #totals(): StepCounts {
    const total = { ...ZERO };
    for (const c of this.#counts.values()) {
      for (const key of Object.keys(total) as (keyof StepCounts)[]) total[key] += c[key];
    }
    return total;
  }

  printProgress(): void {
    const t = this.#totals();
    const steps = this.#graph.order
      .filter((s) => this.#counts.has(s))
      .map((s) => {
        const c = this.#of(s);
        return `${s} ${c.succeeded + c.caught}/${c.queued}${c.running > 0 ? ` (${c.running} running)` : ""}`;
      });
    this.#print(
      `progress ${elapsed(this.#startedAt)}: ${t.succeeded + t.caught}/${t.queued} tasks done, ${t.running} running, ${t.failed} failed — ${steps.join(", ")}`,
    );
  }

  printSummary(run: string, status: "succeeded" | "failed" | "cancelled"): void {
    const t = this.#totals();
    const rows = this.#graph.order
      .filter((s) => this.#counts.has(s))
      .map((s) => {
        const c = this.#of(s);
        return `  ${s.padEnd(20)} ${c.succeeded}/${c.queued} tasks succeeded${outcomes(c)}`;
      });
    this.#print(
      `${SUMMARY_HEADS[status]}: run ${run} ${status} in ${elapsed(this.#startedAt)} (${t.succeeded} tasks succeeded${outcomes(t)})`,
    );
    for (const row of rows) this.#print(row);
  }
}

const SUMMARY_HEADS = { succeeded: "Done", failed: "Failed", cancelled: "Cancelled" } as const;

/**
 * ", 1 failure caught, 1 failed, 3 cancelled, 36 not run, 2 attempts retried" — only the counts
 * that are not 0. "Not run": queued tasks a failure stopped before any attempt of theirs began (a
 * 40-item foreach whose first item failed), so that a step's counts add up to its tasks.
 */
function outcomes(c: StepCounts): string {
  const notRun = c.queued - c.succeeded - c.caught - c.failed - c.cancelled - c.running;
  const parts = [
    c.caught > 0 ? `${c.caught} failure${c.caught > 1 ? "s" : ""} caught` : "",
    c.failed > 0 ? `${c.failed} failed` : "",
    c.cancelled > 0 ? `${c.cancelled} cancelled` : "",
    notRun > 0 ? `${notRun} not run` : "",
    c.retried > 0 ? `${c.retried} attempt${c.retried > 1 ? "s" : ""} retried` : "",
  ].filter(Boolean);
  return parts.length > 0 ? `, ${parts.join(", ")}` : "";
}

function elapsed(since: number): string {
  const seconds = (Date.now() - since) / 1000;
  return seconds < 60
    ? `${seconds.toFixed(1)} s`
    : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
