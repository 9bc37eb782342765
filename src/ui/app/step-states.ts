/**
 * A step's state in a run, from its tasks, and what a foreach's items are doing. A step is green
 * only when every task it will have succeeded: a foreach's body counts the items fanned out to
 * (the width), not the tasks started so far, and a step whose upstream is still going is still
 * going too. A run that is no longer running leaves its unfinished tasks `killed`.
 */
import type { RunView, TaskSummary } from "./api.js";

export type StepState =
  | "succeeded"
  | "caught"
  | "failed"
  | "cancelled"
  | "killed"
  | "running"
  | "not-reached";

export interface StepProgress {
  /** Tasks the step will have, when a foreach says (its items); else the tasks it has. */
  width: number;
  succeeded: number;
  caught: number;
  running: number;
  failed: number;
  cancelled: number;
  killed: number;
  /** Items not started yet (a foreach's body). */
  pending: number;
}

type GraphStep = RunView["graph"][number];

/** The width of each foreach's body step: the items its tasks fanned out to. */
function foreachWidths(view: RunView): Map<string, number> {
  const widths = new Map<string, number>();
  for (const step of view.graph) {
    if (step.type !== "foreach" || !step.next[0]) continue;
    const tasks = view.steps[step.name] ?? [];
    const splits = tasks.reduce((sum, t) => sum + (t.splits ?? 0), 0);
    if (tasks.some((t) => t.splits !== undefined)) widths.set(step.next[0], splits);
  }
  return widths;
}

function count(tasks: readonly TaskSummary[], state: TaskSummary["state"]): number {
  return tasks.filter((t) => t.state === state).length;
}

export function progressOf(view: RunView, step: string, widths = foreachWidths(view)): StepProgress {
  const tasks = view.steps[step] ?? [];
  const width = Math.max(widths.get(step) ?? 0, tasks.length);
  return {
    width,
    succeeded: count(tasks, "succeeded"),
    caught: count(tasks, "caught"),
    running: count(tasks, "running"),
    failed: count(tasks, "failed"),
    cancelled: count(tasks, "cancelled"),
    killed: count(tasks, "killed"),
    pending: width - tasks.length,
  };
}

function ownState(p: StepProgress, runStatus: string): StepState {
  const ended = runStatus !== "running";
  if (p.width === 0) return "not-reached";
  if (p.running > 0) return "running";
  if (p.failed > 0) return "failed";
  if (p.killed > 0) return "killed";
  if (p.pending > 0) return !ended ? "running" : runStatus === "killed" ? "killed" : "cancelled";
  if (p.cancelled > 0) return "cancelled";
  return p.caught > 0 ? "caught" : "succeeded";
}

/** Every step's state, in the graph's order. */
export function stepStates(view: RunView): Map<string, StepState> {
  const widths = foreachWidths(view);
  const order = new Map(view.graph.map((s, i) => [s.name, i]));
  const states = new Map<string, StepState>();
  for (const step of view.graph) {
    let state = ownState(progressOf(view, step.name, widths), view.run.status);
    // Done so far, but what feeds it is not (a loop's back edge excepted): not done.
    if ((state === "succeeded" || state === "caught") && view.run.status === "running") {
      const upstream = view.graph.filter(
        (s) => s.next.includes(step.name) && (order.get(s.name) ?? 0) < (order.get(step.name) ?? 0),
      );
      if (upstream.some((s) => states.get(s.name) === "running")) state = "running";
    }
    states.set(step.name, state);
  }
  return states;
}

/** "102 done · 3 running · 295 pending": the parts that are not 0 (pending items of a stopped run never started). */
export function breakdown(p: StepProgress, runStatus: string): string {
  const parts: [number, string][] = [
    [p.succeeded + p.caught, "done"],
    [p.running, "running"],
    [p.pending, runStatus === "running" ? "pending" : "never started"],
    [p.failed, "failed"],
    [p.cancelled, "cancelled"],
    [p.killed, "killed"],
  ];
  return parts
    .filter(([n]) => n > 0)
    .map(([n, what]) => `${n.toLocaleString("en-US")} ${what}`)
    .join(" · ");
}

/** The lines under a step's name: a foreach's width and its items' breakdown, a switch's case, a task count. */
export function stepNotes(view: RunView, step: GraphStep): string[] {
  const tasks = view.steps[step.name] ?? [];
  if (step.type === "foreach" && step.next[0]) {
    const body = progressOf(view, step.next[0]);
    if (tasks.every((t) => t.splits === undefined))
      return tasks.length > 0 ? ["foreach: items not known yet"] : [];
    return [
      `foreach: ${body.width.toLocaleString("en-US")} item${body.width === 1 ? "" : "s"}`,
      breakdown(body, view.run.status),
    ];
  }
  if (step.type === "switch" && tasks.length === 1 && tasks[0]!.choice)
    return [`case ${tasks[0]!.choice.value}`];
  return tasks.length > 1 ? [`${tasks.length.toLocaleString("en-US")} tasks`] : [];
}

/** Caught failures, retried attempts, cancelled and killed tasks: what a green run can hide. */
export function runCounts(view: RunView) {
  const tasks = Object.values(view.steps).flat();
  return {
    caught: count(tasks, "caught"),
    retries: tasks.reduce((n, t) => n + Math.max(0, t.attempts.length - 1), 0),
    cancelled: count(tasks, "cancelled"),
    killed: count(tasks, "killed"),
    failed: count(tasks, "failed"),
  };
}
