/** Every flow of the datastore, the most recently active first: its newest runs, latest failure and schedule. */
import type { FlowView } from "./api.js";
import { plural } from "./format.js";
import { flowHref, runHref, useTitle } from "./router.js";
import { RunsTable } from "./runs-table.js";
import { usePoll } from "./use-poll.js";
import { When } from "./widgets.js";

export { StatusBadge } from "./widgets.js";

function Flow({ flow, now }: { flow: FlowView; now: string }) {
  return (
    <section class="flow" data-flow={flow.name}>
      <h2>
        <a href={flowHref(flow.name)}>{flow.name}</a>{" "}
        <span class="muted count">{plural(flow.runCount, "run")}</span>
      </h2>
      {flow.latestFailure ? (
        <p class="latest-failure">
          Latest failure:{" "}
          <a href={runHref(flow.name, flow.latestFailure.runId)}>{flow.latestFailure.runId}</a> (
          <When iso={flow.latestFailure.startedAt} now={now} />) — {flow.latestFailure.reason}
        </p>
      ) : null}
      {flow.deployments.map((d) => (
        <p class="deployment">
          Deployed as <b>{d.name}</b> (version {d.version}, {d.namespace}) by {d.deployedBy} on{" "}
          <When iso={d.deployedAt} relative={false} />
          {d.schedule ? (
            <span class="schedule">
              {" "}
              — schedule {d.schedule.expression} ({d.schedule.timezone}), next:{" "}
              {d.schedule.next.map((t, i) => (
                <>
                  {i > 0 ? ", " : ""}
                  <When iso={t} relative={false} />
                </>
              ))}
            </span>
          ) : null}
        </p>
      ))}
      {flow.runs.length === 0 ? (
        <p class="muted">No runs yet.</p>
      ) : (
        <>
          <RunsTable flow={flow.name} runs={flow.runs} now={now} />
          {flow.runCount > flow.runs.length ? (
            <p class="more">
              <a href={flowHref(flow.name)}>
                All {plural(flow.runCount, "run")} of {flow.name} →
              </a>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

export function FlowsPage() {
  useTitle("Flows");
  const { value: flows, error } = usePoll<FlowView[]>("/api/flows", 2000);
  const now = new Date().toISOString();
  if (!flows) return <p class="muted">{error ?? "Loading flows…"}</p>;
  if (flows.length === 0)
    return <p class="muted">No runs in this datastore yet: run a flow, and it appears here.</p>;
  return (
    <div>
      <h1>Flows</h1>
      <p class="muted">The most recently active first.</p>
      {flows.map((flow) => (
        <Flow flow={flow} now={now} />
      ))}
    </div>
  );
}
