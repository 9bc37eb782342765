/** Deep links: every page is a path (and its filters a query), followed without a reload (history API). */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "flows" }
  | { page: "flow"; flow: string; query: URLSearchParams }
  | { page: "run"; flow: string; run: string }
  | { page: "task"; flow: string; run: string; step: string; task: string }
  | { page: "missing"; path: string };

export function parseRoute(pathname: string, search = ""): Route {
  let parts: string[];
  try {
    parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  } catch {
    return { page: "missing", path: pathname };
  }
  if (parts.length === 0) return { page: "flows" };
  if (parts[0] === "flows" && parts.length === 2) {
    return { page: "flow", flow: parts[1]!, query: new URLSearchParams(search) };
  }
  if (parts[0] === "flows" && parts[2] === "runs" && parts.length === 4) {
    return { page: "run", flow: parts[1]!, run: parts[3]! };
  }
  if (parts[0] === "flows" && parts[2] === "runs" && parts.length === 6) {
    return { page: "task", flow: parts[1]!, run: parts[3]!, step: parts[4]!, task: parts[5]! };
  }
  return { page: "missing", path: pathname };
}

export const flowHref = (flow: string, query?: URLSearchParams) =>
  `/flows/${encodeURIComponent(flow)}${query && [...query].length > 0 ? `?${query}` : ""}`;
export const runHref = (flow: string, run: string) =>
  `/flows/${encodeURIComponent(flow)}/runs/${encodeURIComponent(run)}`;
export const taskHref = (flow: string, run: string, step: string, task: string) =>
  `${runHref(flow, run)}/${encodeURIComponent(step)}/${encodeURIComponent(task)}`;
/** `Flow/run/step/task` → its page. */
export const pathspecHref = (pathspec: string) => {
  const [flow, run, step, task] = pathspec.split("/") as [string, string, string, string];
  return taskHref(flow, run, step, task);
};

/** Goes to `href` without a reload; `replace` keeps the history entry (a filter being typed). */
export function navigate(href: string, replace = false): void {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** Every page names itself in the browser's tab and history. */
export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · flowship`;
  }, [title]);
}

const current = () => parseRoute(location.pathname, location.search);

/** The current route; links inside the app change it without a reload. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current);
  useEffect(() => {
    const onPop = () => setRoute(current());
    const onClick = (event: MouseEvent) => {
      const link = (event.target as Element).closest("a");
      if (
        !link ||
        link.origin !== location.origin ||
        link.hasAttribute("download") ||
        event.ctrlKey ||
        event.metaKey ||
        event.shiftKey ||
        event.button !== 0
      )
        return;
      if (link.pathname.startsWith("/api/")) return;
      // An anchor on this page: the browser scrolls to it (and says so with hashchange).
      if (link.pathname === location.pathname && link.search === location.search && link.hash) return;
      event.preventDefault();
      navigate(link.pathname + link.search + link.hash);
    };
    addEventListener("popstate", onPop);
    document.addEventListener("click", onClick);
    return () => {
      removeEventListener("popstate", onPop);
      document.removeEventListener("click", onClick);
    };
  }, []);
  return route;
}
