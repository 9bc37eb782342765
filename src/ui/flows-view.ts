/**
 * The flows page and a flow's page, from the run index (run-index.ts): every flow by latest
 * activity with its newest runs and latest failure; one flow's runs, filtered and paged.
 */

import type { Storage } from "../datastore/storage.js";
import { FlowshipError } from "../errors.js";
import { readDeployments } from "./deployments.js";
import { BadQueryError, numberParam, statusParam, timeParam } from "./query-params.js";
import { type IndexedRun, RunIndex, runStatusOf } from "./run-index.js";
import type { FlowRunsView, FlowView, RunSummary } from "./views.js";

const FLOW_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Runs listed per flow on the flows page. */
export const RUNS_PER_FLOW = 5;
/** The latest failure is looked for among this many newest runs: the flows page stays cheap. */
export const FAILURE_WINDOW = 50;
/** Runs per page of a flow's page, at most. */
const MAX_PAGE = 200;

const indexes = new WeakMap<Storage, RunIndex>();

/** The run index of a datastore: one per opened storage, kept for the server's lifetime. */
export function runIndexOf(storage: Storage): RunIndex {
  let index = indexes.get(storage);
  if (!index) {
    index = new RunIndex(storage);
    indexes.set(storage, index);
  }
  return index;
}

export const firstLine = (text: string) => text.split("\n", 1)[0]!.slice(0, 300);

export function branchOf(run: IndexedRun): string | undefined {
  return run.record.systemTags.find((t) => t.startsWith("project_branch:"))?.slice("project_branch:".length);
}

export function summarize(run: IndexedRun): RunSummary {
  const { record, end } = run;
  const status = runStatusOf(run);
  return {
    id: record.runId,
    status,
    startedAt: record.startedAt,
    ...(end ? { endedAt: end.endedAt } : {}),
    user: record.user,
    namespace: record.namespace,
    tags: run.userTags,
    systemTags: record.systemTags,
    ...(status === "failed" && end?.reason ? { reason: firstLine(end.reason) } : {}),
  };
}

async function flowView(index: RunIndex, name: string): Promise<FlowView | undefined> {
  const [{ runs: window, total: count }, deployments] = await Promise.all([
    index.newest(name, FAILURE_WINDOW),
    readDeployments(index.store(name).storage, name),
  ]);
  if (count === 0 && deployments.length === 0) return undefined;
  const shown = window.slice(0, RUNS_PER_FLOW);
  await index.freshen(name, shown);
  const failed = window.find((run) => runStatusOf(run) === "failed");
  const newest = shown[0];
  const times = [
    ...(newest ? [newest.end?.endedAt ?? newest.record.startedAt] : []),
    ...deployments.map((d) => d.deployedAt),
  ].sort();
  return {
    name,
    runs: shown.map(summarize),
    runCount: count,
    ...(failed
      ? {
          latestFailure: {
            runId: failed.record.runId,
            startedAt: failed.record.startedAt,
            reason: firstLine(failed.end?.reason ?? "failed"),
          },
        }
      : {}),
    ...(times.length > 0 ? { lastActivity: times.at(-1)! } : {}),
    deployments,
  };
}

/** Every flow with runs or a deployment, the most recently active first. */
export async function listFlowViews(storage: Storage): Promise<FlowView[]> {
  const index = runIndexOf(storage);
  const names = (await storage.list("")).filter((name) => FLOW_NAME.test(name));
  const views = (await Promise.all(names.map((name) => flowView(index, name)))).filter(
    (v): v is FlowView => v !== undefined,
  );
  return views.sort(
    (a, b) => (b.lastActivity ?? "").localeCompare(a.lastActivity ?? "") || a.name.localeCompare(b.name),
  );
}

/**
 * One page of a flow's runs, newest first, through the filters `status`, `user`, `tag`,
 * `branch`, `since`, `until` (start times) and `q` (part of a run id or of a tag).
 */
export async function flowRunsPage(
  storage: Storage,
  flow: string,
  query: URLSearchParams,
): Promise<FlowRunsView> {
  if (!FLOW_NAME.test(flow)) throw new BadQueryError(`Not a flow name: '${flow}'.`);
  const status = statusParam(query);
  const user = query.get("user") || undefined;
  const tag = query.get("tag") || undefined;
  const branch = query.get("branch") || undefined;
  const q = query.get("q")?.trim().toLowerCase() || undefined;
  const since = timeParam(query, "since");
  const until = timeParam(query, "until");
  const offset = numberParam(query, "offset", 0, Number.MAX_SAFE_INTEGER);
  const limit = Math.max(1, numberParam(query, "limit", 50, MAX_PAGE));
  const index = runIndexOf(storage);
  const runs = await index.all(flow, { withTags: tag !== undefined || q !== undefined });
  const deployments = await readDeployments(storage, flow);
  if (runs.length === 0 && deployments.length === 0) {
    throw new FlowshipError("FS_CLIENT_NOT_FOUND", `Flow '${flow}' has no runs in ${storage.description}.`);
  }
  const matched = runs.filter((run) => {
    const started = Date.parse(run.record.startedAt);
    return (
      (!status || runStatusOf(run) === status) &&
      (!user || run.record.user === user) &&
      (!tag || run.userTags.includes(tag) || run.record.systemTags.includes(tag)) &&
      (!branch || branchOf(run) === branch) &&
      (since === undefined || started >= since) &&
      (until === undefined || started <= until) &&
      (!q ||
        run.record.runId.toLowerCase().includes(q) ||
        run.userTags.some((t) => t.toLowerCase().includes(q)))
    );
  });
  const page = matched.slice(offset, offset + limit);
  await index.freshen(flow, page);
  const sorted = (values: Iterable<string | undefined>) =>
    [...new Set(values)].filter((v): v is string => v !== undefined).sort();
  return {
    flow,
    total: runs.length,
    matched: matched.length,
    offset,
    limit,
    runs: page.map(summarize),
    unreadable: [...(index.unreadable.get(flow) ?? [])]
      .filter((id) => !runs.some((r) => r.record.runId === id))
      .sort(),
    facets: {
      users: sorted(runs.map((r) => r.record.user)),
      tags: sorted(runs.flatMap((r) => r.userTags)),
      branches: sorted(runs.map(branchOf)),
    },
    deployments,
  };
}
