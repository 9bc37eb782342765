/** Every flow of the datastore with its latest runs and, where deployed, its schedule. */
import type { FlowView, RunSummary } from "./api.js";
import { between, when } from "./format.js";
import { runHref } from "./router.js";
import { usePoll } from "./use-poll.js";

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}

function RunRow({ flow, run, now }: { flow: string; run: RunSummary; now: string }) {
  return (
    <tr class="run-row" data-run={run.id} data-status={run.status}>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td>
        <a href={runHref(flow, run.id)}>{run.id}</a>
      </td>
      <td>{when(run.startedAt)}</td>
      <td>{between(run.startedAt, run.endedAt, now)}</td>
      <td>{run.user}</td>
      <td class="tags">
        {[
          ...run.tags,
          ...run.systemTags.filter((t) => !t.startsWith("user:") && !t.startsWith("runtime:")),
        ].map((t) => (
          <span class="tag">{t}</span>
        ))}
      </td>
    </tr>
  );
}

export function FlowsPage() {
  const { value: flows, error } = usePoll<FlowView[]>("/api/flows", 2000);
  const now = new Date().toISOString();
  if (!flows) return <p class="muted">{error ?? "Loading flows…"}</p>;
  if (flows.length === 0)
    return <p class="muted">No runs in this datastore yet: run a flow, and it appears here.</p>;
  return (
    <div>
      <h1>Flows</h1>
      {flows.map((flow) => (
        <section class="flow" data-flow={flow.name}>
          <h2>{flow.name}</h2>
          {flow.deployments.map((d) => (
            <p class="deployment">
              Deployed as <b>{d.name}</b> (version {d.version}, {d.namespace}) by {d.deployedBy} on{" "}
              {when(d.deployedAt)}
              {d.schedule ? (
                <span class="schedule">
                  {" "}
                  — schedule {d.schedule.expression} ({d.schedule.timezone}), next:{" "}
                  {d.schedule.next.map(when).join(", ")}
                </span>
              ) : null}
            </p>
          ))}
          {flow.runs.length === 0 ? <p class="muted">No runs yet.</p> : null}
          <table class="runs" hidden={flow.runs.length === 0}>
            <thead>
              <tr>
                <th>status</th>
                <th>run</th>
                <th>started</th>
                <th>duration</th>
                <th>user</th>
                <th>tags</th>
              </tr>
            </thead>
            <tbody>
              {flow.runs.map((run) => (
                <RunRow flow={flow.name} run={run} now={now} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </div>
  );
}
