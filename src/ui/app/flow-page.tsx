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

type Change = (name: string, value: string, replace?: boolean) => void;

/** The search box's text, which filters as one types, a moment after the last key. */
function useSearchBox(query: URLSearchParams, change: Change): [string, (search: string) => void] {
  const [search, setSearch] = useState(query.get("q") ?? "");
  useEffect(() => {
    if (search === (query.get("q") ?? "")) return;
    const timer = setTimeout(() => change("q", search.trim(), true), 250);
    return () => clearTimeout(timer);
  }, [search]);
  return [search, setSearch];
}

function Deployments({ view, now }: { view: FlowRunsView | undefined; now: string }) {
  return (
    <>
      {view?.deployments.map((d) => (
        <p class="deployment">
          Deployed as <b>{d.name}</b> (version {d.version}) on <When iso={d.deployedAt} now={now} />
        </p>
      ))}
    </>
  );
}

interface FiltersProps {
  flow: string;
  query: URLSearchParams;
  view: FlowRunsView | undefined;
  change: Change;
  search: string;
  setSearch: (search: string) => void;
  filtered: boolean;
}

/**
 * A select per status, user, tag and branch (offering the users, tags and branches the flow's runs
 * have), the start dates and the search box.
 */
function Filters({ flow, query, view, change, search, setSearch, filtered }: FiltersProps) {
  const select = (name: string, options: readonly string[]) => (
    <Select name={name} label={name} value={query.get(name) ?? ""} options={options} onChange={change} />
  );
  return (
    <form class="filters" aria-label="Filter the runs" onSubmit={(e) => e.preventDefault()}>
      {select("status", STATUSES)}
      {select("user", view?.facets.users ?? [])}
      {select("tag", view?.facets.tags ?? [])}
      {select("branch", view?.facets.branches ?? [])}
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
  );
}

const pageCount = (view: FlowRunsView) => Math.max(1, Math.ceil(view.matched / PAGE));

/** "Runs 1–50 of 120, newest first.", or why there are none. */
function Summary(props: {
  view: FlowRunsView;
  filtered: boolean;
  loading: boolean | undefined;
  /** The address of page `n` of the same list. */
  pageHref: (n: number) => string;
}) {
  const { view, filtered } = props;
  // A link to a page past the last (the runs it counted were deleted, or a hand-made address).
  if (view.matched > 0 && view.runs.length === 0) {
    const last = pageCount(view);
    return (
      <p class="summary" data-testid="runs-summary" aria-busy={props.loading}>
        No runs on this page; the last is page {last}. <a href={props.pageHref(last)}>Go to page {last}</a>
      </p>
    );
  }
  return (
    <p class="summary" data-testid="runs-summary" aria-busy={props.loading}>
      {view.matched === 0
        ? filtered
          ? `No run of ${plural(view.total, "run")} matches.`
          : "No runs yet."
        : `Runs ${view.offset + 1}–${view.offset + view.runs.length} of ${view.matched.toLocaleString("en-US")}${
            filtered ? ` matching (${plural(view.total, "run")} in all)` : ""
          }, newest first.`}
    </p>
  );
}

function Unreadable({ runs }: { runs: string[] }) {
  if (runs.length === 0) return null;
  return (
    <p class="error" data-testid="unreadable">
      {plural(runs.length, "run")} could not be read (a corrupt record, see docs/reliability.md):{" "}
      {runs.slice(0, 10).join(", ")}
      {runs.length > 10 ? ", …" : ""}
    </p>
  );
}

function Pager({ view, page, change }: { view: FlowRunsView; page: number; change: Change }) {
  return (
    <nav class="pager" aria-label="Pages of runs">
      <button type="button" disabled={page <= 1} onClick={() => change("page", String(page - 1))}>
        ← newer
      </button>
      <span>
        page {page} of {pageCount(view)}
      </span>
      <button
        type="button"
        disabled={view.offset + view.runs.length >= view.matched}
        onClick={() => change("page", String(page + 1))}
      >
        older →
      </button>
    </nav>
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
  const change: Change = (name, value, replace = false) => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    if (name !== "page") next.delete("page");
    navigate(flowHref(flow, next), replace);
  };
  const [search, setSearch] = useSearchBox(query, change);
  const pageHref = (n: number) => {
    const next = new URLSearchParams(query);
    next.set("page", String(n));
    return flowHref(flow, next);
  };
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
      <Deployments view={view} now={now} />
      <Filters
        flow={flow}
        query={query}
        view={view}
        change={change}
        search={search}
        setSearch={setSearch}
        filtered={filtered}
      />
      {error && !view ? <p class="error">{error}</p> : null}
      {!view ? (
        // A query the server refused (`?status=bogus`) is said above; nothing is loading then.
        error ? null : (
          <p class="muted">Loading the runs of {flow}…</p>
        )
      ) : (
        <>
          <Summary view={view} filtered={filtered} loading={loading} pageHref={pageHref} />
          <Unreadable runs={view.unreadable} />
          {view.runs.length > 0 ? <RunsTable flow={flow} runs={view.runs} now={now} /> : null}
          {view.runs.length > 0 || view.matched === 0 ? (
            <Pager view={view} page={page} change={change} />
          ) : null}
        </>
      )}
    </div>
  );
}
