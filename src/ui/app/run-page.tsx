/** One run: its status, parameters, tags and error, the graph of its steps and the timeline of its tasks. */
import type { RunView } from "./api.js";
import { encodePath } from "./api.js";
import { StatusBadge } from "./flows-page.js";
import { between, when } from "./format.js";
import { runHref, taskHref } from "./router.js";
import { RunGraph } from "./run-graph.js";
import { Timeline } from "./timeline.js";
import { usePoll } from "./use-poll.js";

export function RunPage({ flow, run }: { flow: string; run: string }) {
  // A running run is read again every second; a finished one once.
  const { value: view, error } = usePoll<RunView>(
    `/api/runs/${encodePath(flow, run)}`,
    1000,
    (v) => v.run.status === "running",
  );
  if (!view) return <p class="muted">{error ?? `Loading ${flow}/${run}…`}</p>;
  const failedTask = Object.entries(view.steps)
    .flatMap(([step, tasks]) => tasks.filter((t) => t.status === "failed").map((t) => ({ step, task: t })))
    .at(0);
  const stepHref = (step: string) => {
    const tasks = view.steps[step] ?? [];
    return tasks.length === 1 ? taskHref(flow, run, step, tasks[0]!.id) : `#lanes-${step}`;
  };
  return (
    <div class="run-page" data-status={view.run.status}>
      <p class="crumbs">
        <a href="/">Flows</a> / {flow}
      </p>
      <h1>
        {flow}/{view.run.id} <StatusBadge status={view.run.status} />
      </h1>
      <dl class="facts">
        <dt>started</dt>
        <dd>{when(view.run.startedAt)}</dd>
        <dt>duration</dt>
        <dd>{between(view.run.startedAt, view.run.endedAt, view.now)}</dd>
        <dt>user</dt>
        <dd>{view.run.user}</dd>
        <dt>namespace</dt>
        <dd>{view.run.namespace}</dd>
        <dt>tags</dt>
        <dd class="tags">
          {[...view.run.tags, ...view.run.systemTags].map((t) => (
            <span class="tag">{t}</span>
          ))}
        </dd>
        {view.run.originRunId ? (
          <>
            <dt>resumed from</dt>
            <dd data-testid="origin-run">
              <a href={runHref(flow, view.run.originRunId)}>{view.run.originRunId}</a>
            </dd>
          </>
        ) : null}
        {view.run.scheduledTime ? (
          <>
            <dt>scheduled for</dt>
            <dd>{when(view.run.scheduledTime)}</dd>
          </>
        ) : null}
      </dl>
      {view.run.failureReason ? (
        <div class="error" data-testid="run-error">
          <b>Failed:</b> {view.run.failureReason}
          {failedTask ? (
            <>
              {" "}
              — <a href={taskHref(flow, run, failedTask.step, failedTask.task.id)}>see the task</a>
            </>
          ) : null}
        </div>
      ) : null}
      {Object.keys(view.parameters).length > 0 ? (
        <table class="parameters">
          <tbody>
            {Object.entries(view.parameters).map(([name, value]) => (
              <tr>
                <th>{name}</th>
                <td>
                  <code>{JSON.stringify(value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <div class="run-body">
        <section class="graph-box">
          <h2>Graph</h2>
          <RunGraph view={view} stepHref={stepHref} />
        </section>
        <section class="timeline-box">
          <h2>Timeline</h2>
          <Timeline view={view} />
        </section>
      </div>
    </div>
  );
}
