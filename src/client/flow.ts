/**
 * A flow's runs in a datastore. A flow is a top-level folder of the datastore that has runs; it
 * is in a namespace when at least one of its runs is.
 */
import { parsePathspec } from "../datastore/pathspec.js";
import { type ClientContext, type ClientOptions, openContext } from "./client-context.js";
import type { AnyArtifacts } from "./data-artifact.js";
import { assertOpenedByClient, NamespaceMismatchError, ObjectNotFoundError } from "./errors.js";
import { Run } from "./run.js";
import { tagsOption } from "./tags-option.js";

/** Options of {@link Flow.runs}. */
export interface RunsOptions {
  /**
   * Only runs that carry every one of these tags (user or system tags).
   * @default no filter
   */
  tags?: readonly string[];
}

/** Folders of the datastore root that are not flows. */
const RESERVED = new Set(["_code"]);
const FLOW_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function newestFirst(a: Run<object>, b: Run<object>): number {
  const byStart = b.startedAt.getTime() - a.startedAt.getTime();
  if (byStart !== 0) return byStart;
  return b.id.length - a.id.length || (b.id > a.id ? 1 : b.id < a.id ? -1 : 0);
}

export class Flow<A extends object = AnyArtifacts> {
  /** The flow's name. */
  readonly name: string;
  readonly #context: ClientContext;
  #listed: string[] | undefined;

  /** @internal Use {@link Flow.get} or {@link listFlows}. */
  constructor(options: { context: ClientContext; name: string; runIds?: string[] }) {
    assertOpenedByClient("Flow", options);
    this.#context = options.context;
    this.name = options.name;
    this.#listed = options.runIds;
  }

  /** The flow's run ids, listed on first need: listing 1,000 runs costs more than reading one. */
  async #runIds(): Promise<string[]> {
    this.#listed ??= await this.#context.store(this.name).listRunIds();
    return this.#listed;
  }

  /**
   * Opens a flow by name.
   *
   * @example
   * const flow = await Flow.get("BranchFlow");
   * const run = await flow.latestSuccessfulRun();
   * console.log(run?.id, await run?.data?.total);
   */
  static async get<A extends object = AnyArtifacts>(
    name: string,
    options: ClientOptions = {},
  ): Promise<Flow<A>> {
    parsePathspec(name, "flow");
    const context = await openContext(options);
    // A latest-run pointer exists only for a namespace holding a run: the flow is there, no listing needed.
    if (await context.store(name).hasLatest("started", context.namespace))
      return new Flow<A>({ context, name });
    const runIds = await context.store(name).listRunIds();
    if (runIds.length === 0) {
      throw new ObjectNotFoundError({
        kind: "Flow",
        pathspec: name,
        datastore: context.datastore,
        hint: "Run the flow first, or point the client at the datastore it ran in (--datastore-root or FLOWSHIP_DATASTORE_ROOT on the command line, setDatastore() in code)",
      });
    }
    const flow = new Flow<A>({ context, name, runIds });
    if (context.namespace !== null && (await flow.#readRuns()).length === 0) {
      throw new NamespaceMismatchError({
        kind: "Flow",
        pathspec: name,
        namespace: context.namespace,
      });
    }
    return flow;
  }

  /** `Flow`: the flow's pathspec is its name. */
  get pathspec(): string {
    return this.name;
  }

  /** The namespace this flow was opened in (`null` = every run). */
  get namespace(): string | null {
    return this.#context.namespace;
  }

  async #readRuns(): Promise<Run<A>[]> {
    const runs = await Promise.all(
      (await this.#runIds()).map((id) => Run.read<A>(this.#context, this.name, id)),
    );
    return runs.filter((run): run is Run<A> => run?.isInNamespace(this.#context.namespace) === true);
  }

  /** The flow's runs in the namespace, newest first (by start time), optionally with given tags. */
  async runs(options: RunsOptions = {}): Promise<Run<A>[]> {
    // A string (Metaflow's runs("tag")) is refused, not ignored as no filter.
    const wanted = tagsOption("flow.runs()", options);
    const runs = await this.#readRuns();
    return runs.filter((run) => wanted.every((tag) => run.tags.includes(tag))).sort(newestFirst);
  }

  /** One run of this flow by id. */
  async run(id: string): Promise<Run<A>> {
    const { runId } = parsePathspec(`${this.name}/${id}`, "run");
    return Run.open<A>(this.#context, this.name, runId!);
  }

  /**
   * The run a namespace's pointer names (see FlowStore.updateLatest), if it is still there and
   * in the namespace; otherwise undefined and the caller scans every run.
   */
  async #fromPointer(kind: "started" | "succeeded"): Promise<Run<A> | undefined> {
    const pointer = await this.#context.store(this.name).readLatest(kind, this.#context.namespace);
    if (!pointer) return undefined;
    const run = await Run.read<A>(this.#context, this.name, pointer.runId);
    if (!run?.isInNamespace(this.#context.namespace)) return undefined;
    return kind === "succeeded" && !run.successful ? undefined : run;
  }

  /** The newest run in the namespace, whatever its status. */
  async latestRun(): Promise<Run<A> | undefined> {
    return (await this.#fromPointer("started")) ?? (await this.runs())[0];
  }

  /** The newest run in the namespace that succeeded. */
  async latestSuccessfulRun(): Promise<Run<A> | undefined> {
    return (await this.#fromPointer("succeeded")) ?? (await this.runs()).find((run) => run.successful);
  }
}

/**
 * The flows of the datastore that have runs in the namespace, by name.
 *
 * @example
 * for (const flow of await listFlows()) console.log(flow.name);
 */
export async function listFlows(options: ClientOptions = {}): Promise<Flow[]> {
  const context = await openContext(options);
  const names = (await context.storage.list("")).filter((n) => !RESERVED.has(n) && FLOW_NAME.test(n));
  const flows = await Promise.all(
    names.map(async (name) => {
      const flow = new Flow({ context, name, runIds: await context.store(name).listRunIds() });
      return (await flow.runs()).length > 0 ? flow : undefined;
    }),
  );
  return flows.filter((flow): flow is Flow => flow !== undefined).sort((a, b) => (a.name < b.name ? -1 : 1));
}
