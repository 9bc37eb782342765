/** Deep links: every page is a path, followed without a reload (history API). */
import { useEffect, useState } from "preact/hooks";

export type Route =
  | { page: "flows" }
  | { page: "run"; flow: string; run: string }
  | { page: "task"; flow: string; run: string; step: string; task: string }
  | { page: "missing"; path: string };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split("/").filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: "flows" };
  if (parts[0] === "flows" && parts[2] === "runs" && parts.length === 4) {
    return { page: "run", flow: parts[1]!, run: parts[3]! };
  }
  if (parts[0] === "flows" && parts[2] === "runs" && parts.length === 6) {
    return { page: "task", flow: parts[1]!, run: parts[3]!, step: parts[4]!, task: parts[5]! };
  }
  return { page: "missing", path: pathname };
}

export const runHref = (flow: string, run: string) =>
  `/flows/${encodeURIComponent(flow)}/runs/${encodeURIComponent(run)}`;
export const taskHref = (flow: string, run: string, step: string, task: string) =>
  `${runHref(flow, run)}/${encodeURIComponent(step)}/${encodeURIComponent(task)}`;

export function navigate(href: string): void {
  history.pushState(null, "", href);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** The current route; links inside the app change it without a reload. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname));
    const onClick = (event: MouseEvent) => {
      const link = (event.target as Element).closest("a");
      if (
        !link ||
        link.origin !== location.origin ||
        link.hasAttribute("download") ||
        event.ctrlKey ||
        event.metaKey
      )
        return;
      if (link.pathname.startsWith("/api/")) return;
      event.preventDefault();
      navigate(link.pathname);
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
