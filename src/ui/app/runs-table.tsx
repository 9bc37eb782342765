/** A table of runs, as the flows page and a flow's page list them. */
import type { RunSummary } from "./api.js";
import { between } from "./format.js";
import { runHref } from "./router.js";
import { StatusBadge, When } from "./widgets.js";

/** System tags worth a reader's eye: the namespace and runtime are columns or noise. */
const shownTags = (run: RunSummary) => [
  ...run.tags,
  ...run.systemTags.filter(
    (t) => !t.startsWith("user:") && !t.startsWith("runtime:") && !t.startsWith("flowship_version:"),
  ),
];

function RunRow({ flow, run, now }: { flow: string; run: RunSummary; now: string }) {
  return (
    <tr class="run-row" data-run={run.id} data-status={run.status}>
      <td>
        <StatusBadge status={run.status} />
      </td>
      <td>
        <a href={runHref(flow, run.id)}>{run.id}</a>
      </td>
      <td>
        <When iso={run.startedAt} now={now} />
      </td>
      <td class="duration">
        {/* A killed run recorded no end: counting to now would grow its duration for ever. */}
        {run.status === "killed" && !run.endedAt ? "unknown" : between(run.startedAt, run.endedAt, now)}
      </td>
      <td>{run.user}</td>
      <td class="tags">
        {shownTags(run).map((t) => (
          <span class="tag">{t}</span>
        ))}
      </td>
      <td class="reason">{run.reason ?? ""}</td>
    </tr>
  );
}

export function RunsTable({ flow, runs, now }: { flow: string; runs: readonly RunSummary[]; now: string }) {
  return (
    <table class="runs">
      <thead>
        <tr>
          <th scope="col">status</th>
          <th scope="col">run</th>
          <th scope="col">started</th>
          <th scope="col">duration</th>
          <th scope="col">user</th>
          <th scope="col">tags</th>
          <th scope="col">failure</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => (
          <RunRow flow={flow} run={run} now={now} />
        ))}
      </tbody>
    </table>
  );
}
