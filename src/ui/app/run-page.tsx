/**
 * One run: its status, parameters, tags and error, what a green run can hide (caught failures,
 * retries, cancelled and killed tasks), the graph of its steps and the timeline of its tasks.
 */
import type { RunView } from "./api.js";
import { encodePath } from "./api.js";
import { between, plural, when } from "./format.js";
import { quoted } from "./quoted.js";
import { flowHref, runHref, taskHref, useTitle } from "./router.js";
import { RunGraph } from "./run-graph.js";
import { runCounts, stepStates } from "./step-states.js";
import { Timeline } from "./timeline.js";
import { usePoll } from "./use-poll.js";
import { NotFound, StatusBadge, When } from "./widgets.js";

/** "2 failures caught · 3 attempts retried · 5 cancelled": only the counts that are not 0. */
function Counts({ view }: { view: RunView }) {
  const c = runCounts(view);
  const parts = [
    c.failed > 0 ? `${plural(c.failed, "task")} failed` : "",
    c.caught > 0 ? `${plural(c.caught, "failure")} caught` : "",
    c.retries > 0 ? `${plural(c.retries, "attempt")} retried` : "",
    c.cancelled > 0 ? `${plural(c.cancelled, "task")} cancelled` : "",
    c.killed > 0 ? `${plural(c.killed, "task")} killed unfinished` : "",
  ].filter(Boolean);
  if (parts.length === 0) return null;
  return (
    <p class="counts" data-testid="run-counts">
      {parts.join(" · ")} — <a href="#timeline">see them in the timeline</a> (“failed or retried only”).
    </p>
  );
}

/** When it started and for how long, who ran it, its tags, and what it resumed or was scheduled for. */
function Facts({ flow, view }: { flow: string; view: RunView }) {
  return (
    <dl class="facts">
      <dt>started</dt>
      <dd>
        <When iso={view.run.startedAt} now={view.now} />
      </dd>
      <dt>duration</dt>
      <dd>
        {view.run.status === "killed"
          ? "unknown (killed)"
          : between(view.run.startedAt, view.run.endedAt, view.now)}
      </dd>
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
  );
}

/** Why the run failed, with a link to the first task that failed. */
function RunError({ flow, run, view }: { flow: string; run: string; view: RunView }) {
  if (!view.run.failureReason) return null;
  const failedTask = Object.entries(view.steps)
    .flatMap(([step, tasks]) => tasks.filter((t) => t.state === "failed").map((t) => ({ step, task: t })))
    .at(0);
  return (
    <div class="error" data-testid="run-error">
      <b>Failed:</b> {view.run.failureReason}
      {failedTask ? (
        <>
          {" "}
          — <a href={taskHref(flow, run, failedTask.step, failedTask.task.id)}>see the task</a>
        </>
      ) : null}
    </div>
  );
}

function Parameters({ parameters }: { parameters: RunView["parameters"] }) {
  if (Object.keys(parameters).length === 0) return null;
  return (
    <table class="parameters">
      <tbody>
        {Object.entries(parameters).map(([name, value]) => (
          <tr>
            <th scope="row">{name}</th>
            <td>
              <code>{quoted(value)}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RunPage({ flow, run }: { flow: string; run: string }) {
  useTitle(`${flow}/${run}`);
  // A running run is read again every second; a finished (or killed) one once.
  const {
    value: view,
    error,
    missing,
  } = usePoll<RunView>(`/api/runs/${encodePath(flow, run)}`, 1000, (v) => v.run.status === "running");
  if (missing)
    return <NotFound what={error ?? `No run ${flow}/${run}.`} back={{ href: flowHref(flow), label: flow }} />;
  if (!view) return <p class="muted">{error ?? `Loading ${flow}/${run}…`}</p>;
  const states = stepStates(view);
  // A step of one task links to it; of several, to its group in the timeline.
  const stepHref = (step: string) => {
    const tasks = view.steps[step] ?? [];
    return tasks.length === 1
      ? taskHref(flow, run, step, tasks[0]!.id)
      : `#lanes-${encodeURIComponent(step)}`;
  };
  return (
    <div class="run-page" data-status={view.run.status}>
      <p class="crumbs">
        <a href="/">Flows</a> / <a href={flowHref(flow)}>{flow}</a>
      </p>
      <h1>
        {flow}/{view.run.id} <StatusBadge status={view.run.status} />
      </h1>
      {view.run.status === "killed" ? (
        <p class="error" data-testid="run-killed">
          The process that ran this run is gone without recording an end (killed, or its machine stopped):
          tasks that had not finished are shown as killed. <code>flowship resume</code> runs the rest.
        </p>
      ) : null}
      <Facts flow={flow} view={view} />
      <RunError flow={flow} run={run} view={view} />
      <Counts view={view} />
      <Parameters parameters={view.parameters} />
      <div class="run-body">
        <section class="graph-box">
          <h2>Graph</h2>
          <RunGraph view={view} states={states} stepHref={stepHref} />
        </section>
        <section class="timeline-box" id="timeline">
          <h2>Timeline</h2>
          <Timeline view={view} states={states} />
        </section>
      </div>
    </div>
  );
}
