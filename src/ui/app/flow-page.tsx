/**
 * One flow's runs, all of them: paged, filtered by status, user, tag, project branch and start
 * date, searched by run id or tag. The filters live in the page's query, so a filtered list is a
 * link too (`/flows/Train?status=failed&user=alice`).
 */
import { useEffect, useState } from "preact/hooks";
import type { FlowRunsView } from "./api.js";
import { encodePath } from "./api.js";
import { plural, timeZone } from "./format.js";
import { flowHref, navigate, useTitle } from "./router.js";
import { RunsTable } from "./runs-table.js";
import { usePoll } from "./use-poll.js";
import { NotFound, When } from "./widgets.js";

const PAGE = 50;
const STATUSES = ["running", "succeeded", "failed", "killed"];

/** A day of the date inputs (`2026-05-01`) as the instant it starts (or ends) in the chosen zone. */
function dayBound(day: string, end: boolean): string | undefined {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(day);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const time = end ? [23, 59, 59, 999] : [0, 0, 0, 0];
  const date =
    timeZone() === "utc"
      ? new Date(Date.UTC(y, m, d, time[0], time[1], time[2], time[3]))
      : new Date(y, m, d, time[0], time[1], time[2], time[3]);
  return date.toISOString();
}

/** The API's query for the page's: dates become instants, the page an offset. */
function apiQuery(query: URLSearchParams): string {
  const api = new URLSearchParams();
  for (const name of ["status", "user", "tag", "branch", "q"]) {
    const value = query.get(name);
    if (value) api.set(name, value);
  }
  const since = dayBound(query.get("since") ?? "", false);
  const until = dayBound(query.get("until") ?? "", true);
  if (since) api.set("since", since);
  if (until) api.set("until", until);
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  api.set("offset", String((page - 1) * PAGE));
  api.set("limit", String(PAGE));
  return api.toString();
}

function Select(props: {
  name: string;
  label: string;
  value: string;
  options: readonly string[];
  onChange: (name: string, value: string) => void;
}) {
  return (
    <label>
      {props.label}{" "}
      <select
        name={props.name}
        value={props.value}
        onChange={(e) => props.onChange(props.name, e.currentTarget.value)}
      >
        <option value="">any</option>
        {props.options.map((o) => (
          <option value={o}>{o}</option>
        ))}
      </select>
    </label>
  );
}

export function FlowPage({ flow, query }: { flow: string; query: URLSearchParams }) {
  useTitle(flow);
  const {
    value: view,
    error,
    missing,
    loading,
  } = usePoll<FlowRunsView>(`/api/flows/${encodePath(flow)}/runs?${apiQuery(query)}`, 3000);
  const [search, setSearch] = useState(query.get("q") ?? "");
  const change = (name: string, value: string, replace = false) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    navigate(flowHref(flow, next), replace);
  };
  // The search box filters as one types, a moment after the last key.
  useEffect(() => {
    if (search === (query.get("q") ?? "")) return;
    const timer = setTimeout(() => change("q", search.trim(), true), 250);
    return () => clearTimeout(timer);
  }, [search]);
  if (missing) return <NotFound what={error ?? `No flow ${flow}.`} />;
  const page = Math.max(1, Number(query.get("page") ?? 1) || 1);
  const now = new Date().toISOString();
  const filtered = ["status", "user", "tag", "branch", "since", "until", "q"].some((n) => query.get(n));
  return (
    <div class="flow-page" data-flow={flow}>
      <p class="crumbs">
        <a href="/">Flows</a> / {flow}
      </p>
      <h1>{flow}</h1>
      {view?.deployments.map((d) => (
        <p class="deployment">
          Deployed as <b>{d.name}</b> (version {d.version}) on <When iso={d.deployedAt} now={now} />
        </p>
      ))}
      <form class="filters" aria-label="Filter the runs" onSubmit={(e) => e.preventDefault()}>
        <Select
          name="status"
          label="status"
          value={query.get("status") ?? ""}
          options={STATUSES}
          onChange={change}
        />
        <Select
          name="user"
          label="user"
          value={query.get("user") ?? ""}
          options={view?.facets.users ?? []}
          onChange={change}
        />
        <Select
          name="tag"
          label="tag"
          value={query.get("tag") ?? ""}
          options={view?.facets.tags ?? []}
          onChange={change}
        />
        <Select
          name="branch"
          label="branch"
          value={query.get("branch") ?? ""}
          options={view?.facets.branches ?? []}
          onChange={change}
        />
        <label>
          started from{" "}
          <input
            type="date"
            name="since"
            value={query.get("since") ?? ""}
            onChange={(e) => change("since", e.currentTarget.value)}
          />
        </label>
        <label>
          to{" "}
          <input
            type="date"
            name="until"
            value={query.get("until") ?? ""}
            onChange={(e) => change("until", e.currentTarget.value)}
          />
        </label>
        <label>
          search{" "}
          <input
            type="search"
            name="q"
            placeholder="run id or tag"
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </label>
        {filtered ? <a href={flowHref(flow)}>clear filters</a> : null}
      </form>
      {error && !view ? <p class="error">{error}</p> : null}
      {!view ? (
        <p class="muted">Loading the runs of {flow}…</p>
      ) : (
        <>
          <p class="summary" data-testid="runs-summary" aria-busy={loading}>
            {view.matched === 0
              ? filtered
                ? `No run of ${plural(view.total, "run")} matches.`
                : "No runs yet."
              : `Runs ${view.offset + 1}–${view.offset + view.runs.length} of ${view.matched.toLocaleString("en-US")}${
                  filtered ? ` matching (${plural(view.total, "run")} in all)` : ""
                }, newest first.`}
          </p>
          {view.unreadable.length > 0 ? (
            <p class="error" data-testid="unreadable">
              {plural(view.unreadable.length, "run")} could not be read (a corrupt record, see
              docs/reliability.md): {view.unreadable.slice(0, 10).join(", ")}
              {view.unreadable.length > 10 ? ", …" : ""}
            </p>
          ) : null}
          {view.runs.length > 0 ? <RunsTable flow={flow} runs={view.runs} now={now} /> : null}
          <nav class="pager" aria-label="Pages of runs">
            <button type="button" disabled={page <= 1} onClick={() => change("page", String(page - 1))}>
              ← newer
            </button>
            <span>
              page {page} of {Math.max(1, Math.ceil(view.matched / PAGE))}
            </span>
            <button
              type="button"
              disabled={view.offset + view.runs.length >= view.matched}
              onClick={() => change("page", String(page + 1))}
            >
              older →
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
