/** A step's state in a run, from its tasks: what the graph colours it by. */
import type { RunView, TaskSummary } from "./api.js";

export type StepState = "succeeded" | "failed" | "running" | "not-reached";

export function stepState(tasks: readonly TaskSummary[] | undefined): StepState {
  if (!tasks || tasks.length === 0) return "not-reached";
  if (tasks.some((t) => t.status === "running")) return "running";
  if (tasks.some((t) => t.status === "failed")) return "failed";
  return "succeeded";
}

/** The label under a step's name: its task count, a foreach's items, a switch's case. */
export function stepNote(
  view: RunView,
  step: { name: string; type: string; next: readonly string[] },
): string {
  const tasks = view.steps[step.name] ?? [];
  if (step.type === "foreach") {
    const items = (view.steps[step.next[0]!] ?? []).length;
    return `foreach: ${items} item${items === 1 ? "" : "s"}`;
  }
  if (step.type === "switch" && tasks.length === 1 && tasks[0]!.choice)
    return `case ${tasks[0]!.choice.value}`;
  return tasks.length > 1 ? `${tasks.length} tasks` : "";
}
