/**
 * The Gantt timeline of a run: one row per task, one bar per attempt (a failed attempt red, a
 * running one growing up to now), on a shared time axis from the run's start.
 */
import type { RunView } from "./api.js";
import { between, duration } from "./format.js";
import { taskHref } from "./router.js";

export function Timeline({ view }: { view: RunView }) {
  const start = Date.parse(view.run.startedAt);
  const rows = view.graph.flatMap((step) =>
    (view.steps[step.name] ?? []).map((task) => ({ step: step.name, task })),
  );
  const ends = rows.flatMap(({ task }) => task.attempts.map((a) => Date.parse(a.endedAt ?? view.now)));
  const span = Math.max(1, ...ends.map((e) => e - start));
  const percent = (t: number) => `${(((t - start) / span) * 100).toFixed(3)}%`;
  return (
    <div class="timeline">
      <div class="axis">
        <span>0</span>
        <span>{duration(span)}</span>
      </div>
      {rows.map(({ step, task }, i) => (
        <div
          class="lane"
          data-task={`${step}/${task.id}`}
          id={i === 0 || rows[i - 1]!.step !== step ? `lanes-${step}` : undefined}
        >
          <a class="lane-label" href={taskHref(view.flow, view.run.id, step, task.id)}>
            {step}/{task.id}
          </a>
          <div class="lane-track">
            {task.attempts.map((a) => {
              const from = Date.parse(a.startedAt);
              const to = Date.parse(a.endedAt ?? view.now);
              return (
                <div
                  class={`bar bar-${a.status}`}
                  data-attempt={a.attempt}
                  title={`${step}/${task.id} attempt ${a.attempt}: ${a.status}, ${between(a.startedAt, a.endedAt, view.now)}`}
                  style={{
                    left: percent(from),
                    width: `max(2px, ${(((to - from) / span) * 100).toFixed(3)}%)`,
                  }}
                />
              );
            })}
          </div>
        </div>
      ))}
    </div>
  );
}
