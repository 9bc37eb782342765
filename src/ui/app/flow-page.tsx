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

/**
 * A day of the date inputs (`2026-05-01`) as the instant it starts (or ends) in the chosen zone;
 * undefined for anything else, a day that is not in the calendar (`2026-02-30`) included.
 */
function dayBound(day: string, end: boolean): string | undefined {
  const match = /^(\d{4})-(\d\d)-(\d\d)$/.exec(day);
  if (!match) return undefined;
  const [y, m, d] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const time = end ? [23, 59, 59, 999] : [0, 0, 0, 0];
  const date =
    timeZone() === "utc"
      ? new Date(Date.UTC(y, m, d, time[0], time[1], time[2], time[3]))
      : new Date(y, m, d, time[0], time[1], time[2], time[3]);
  const utc = timeZone() === "utc";
  const same =
    (utc ? date.getUTCMonth() : date.getMonth()) === m && (utc ? date.getUTCDate() : date.getDate()) === d;
  return same ? date.toISOString() : undefined;
}

/** The page's `page`: a whole number from 1 (anything else is the first page). */
function pageOf(query: URLSearchParams): number {
  const text = query.get("page") ?? "";
  return /^\d{1,9}$/.test(text) ? Math.max(1, Number(text)) : 1;
}

/** The API's query for the page's: dates become instants, the page an offset. */
function apiQuery(query: URLSearchParams): string {
  const api = new URLSearchParams();
  for (const name of ["status", "user", "tag", "branch", "q"]) {
    const value = query.get(name);
    if (value) api.set(name, value);
  }
  for (const [name, end] of [
    ["since", false],
    ["until", true],
  ] as const) {
    const day = query.get(name);
    // A value that is not a day goes as it is: the server's 400 names it, and the page shows that.
    if (day) api.set(name, dayBound(day, end) ?? day);
  }
  api.set("offset", String((pageOf(query) - 1) * PAGE));
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
  page: number;
  change: Change;
}) {
  const { view, filtered } = props;
  const pages = Math.max(1, Math.ceil(view.matched / PAGE));
  if (view.matched > 0 && view.runs.length === 0) {
    return (
      <p class="summary" data-testid="runs-summary" aria-busy={props.loading}>
        No runs on page {props.page.toLocaleString("en-US")}: the last page is {pages.toLocaleString("en-US")}
        .{" "}
        <button type="button" onClick={() => props.change("page", String(pages))}>
          Go to page {pages.toLocaleString("en-US")}
        </button>
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
  if (missing) return <NotFound what={error ?? `No flow ${flow}.`} />;
  const page = pageOf(query);
  const now = new Date().toISOString();
  // The answer to this address was an error (a 400 for a filter): what the last address showed is not it.
  const shown = error && loading ? undefined : view;
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
      {error && !shown ? <p class="error">{error}</p> : null}
      {shown ? (
        <>
          <Summary view={shown} filtered={filtered} loading={loading} page={page} change={change} />
          <Unreadable runs={shown.unreadable} />
          {shown.runs.length > 0 ? <RunsTable flow={flow} runs={shown.runs} now={now} /> : null}
          <Pager view={shown} page={page} change={change} />
        </>
      ) : error ? null : (
        <p class="muted">Loading the runs of {flow}…</p>
      )}
    </div>
  );
}
