/**
 * Namespaces decide which runs the Client API shows. A namespace is a tag: a run is in namespace
 * NS when NS is the namespace it ran in (`user:<name>` or `production:<token>`) or one of its
 * user or system tags. `null` is the global namespace, which shows every run.
 */
import { currentUser, deployedNamespace, productionToken } from "../config.js";
import { ClientOptionsError } from "./errors.js";

/** The namespace the Client API filters by; `null` shows every run. */
export type Namespace = string | null;

let current: Namespace | undefined;

/**
 * The namespace runs start in: the one a deployment chose (`step-functions create --namespace`,
 * inside its Batch tasks), else `production:<token>` when FLOWSHIP_PRODUCTION_TOKEN is set, else
 * `user:<name>` (FLOWSHIP_USER, else the login name).
 */
export function defaultNamespace(): string {
  const chosen = deployedNamespace();
  if (chosen) return chosen;
  const token = productionToken();
  return token ? `production:${token}` : `user:${currentUser()}`;
}

/**
 * Switches the current namespace for every Client API call that follows, and returns it.
 * Objects already opened keep the namespace they were opened in.
 *
 * @example
 * namespace(null); // every run, whoever started it
 * namespace("user:alice");
 */
export function namespace(ns: Namespace): Namespace {
  // Metaflow's namespace(None) ported as namespace() or namespace(undefined) would quietly mean the
  // default namespace, your own runs, where every run was meant.
  if (ns !== null && (typeof ns !== "string" || ns === "")) {
    throw new ClientOptionsError(
      "namespace()",
      `give a namespace such as 'user:alice', or null for every run (Metaflow's namespace(None)), got ${JSON.stringify(ns) ?? String(ns)}`,
    );
  }
  current = ns;
  return ns;
}

/** The current namespace; defaults to {@link defaultNamespace}. */
export function getNamespace(): Namespace {
  if (current === undefined) current = defaultNamespace();
  return current;
}

/** What a run carries that can put it in a namespace. */
export interface NamespaceMembership {
  namespace: string;
  tags: readonly string[];
  systemTags: readonly string[];
}

/** True when `ns` is null (global) or names the run's namespace or one of its tags. */
export function inNamespace(run: NamespaceMembership, ns: Namespace): boolean {
  return ns === null || run.namespace === ns || run.tags.includes(ns) || run.systemTags.includes(ns);
}
