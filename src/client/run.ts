/**
 * A run of a flow, from its records: status, times, tags, parameters, and its steps. Opening a
 * run reads its records and its end step's task records, never an artifact value.
 */

import { parsePathspec } from "../datastore/pathspec.js";
import type { RecordedStep, RunEndRecord, RunRecord, RunStatus } from "../datastore/records-types.js";
import { runStatus } from "../datastore/run-status.js";
import { type ClientContext, type ClientOptions, openContext } from "./client-context.js";
import { type AnyArtifacts, DataArtifact, type LazyData } from "./data-artifact.js";
import { assertOpenedByClient, NamespaceMismatchError, ObjectNotFoundError } from "./errors.js";
import { inNamespace, type Namespace } from "./namespace.js";
import { changeUserTags, readUserTags } from "./run-tags.js";
import { Step } from "./step.js";
import { tagsOption } from "./tags-option.js";
import { Task } from "./task.js";

interface RunRecords {
  record: RunRecord;
  end: RunEndRecord | undefined;
  userTags: string[];
}

export class Run<A extends object = AnyArtifacts> {
  readonly flow: string;
  /** The run id. */
  readonly id: string;
  readonly #context: ClientContext;
  readonly #record: RunRecord;
  readonly #end: RunEndRecord | undefined;
  #userTags: string[];
  #endTask: Task<A> | undefined;

  /** @internal Use {@link Run.get} or `Flow.runs()`. */
  constructor(options: { context: ClientContext } & RunRecords) {
    assertOpenedByClient("Run", options);
    this.#context = options.context;
    this.#record = options.record;
    this.#end = options.end;
    this.#userTags = options.userTags;
    this.flow = options.record.flow;
    this.id = options.record.runId;
  }

  /**
   * Opens `Flow/runId`.
   *
   * @example
   * const run = await Run.get("BranchFlow/1795510290707");
   * if (run.successful) console.log(await run.data?.total);
   */
  static async get<A extends object = AnyArtifacts>(
    pathspec: string,
    options: ClientOptions = {},
  ): Promise<Run<A>> {
    const { flow, runId } = parsePathspec(pathspec, "run");
    return Run.open<A>(await openContext(options), flow, runId!);
  }

  /** @internal Opens a run, checking that it exists and is in the context's namespace. */
  static async open<A extends object = AnyArtifacts>(
    context: ClientContext,
    flow: string,
    runId: string,
  ): Promise<Run<A>> {
    const run = await Run.read<A>(context, flow, runId);
    if (!run) {
      throw new ObjectNotFoundError({
        kind: "Run",
        pathspec: `${flow}/${runId}`,
        datastore: context.datastore,
      });
    }
    if (!run.isInNamespace(context.namespace)) {
      throw new NamespaceMismatchError({
        kind: "Run",
        pathspec: run.pathspec,
        namespace: context.namespace!,
        owner: run.namespace,
      });
    }
    return run;
  }

  /** @internal Reads a run whatever its namespace; undefined when it has no run record (yet). */
  static async read<A extends object = AnyArtifacts>(
    context: ClientContext,
    flow: string,
    runId: string,
  ): Promise<Run<A> | undefined> {
    const store = context.store(flow);
    const record = await store.readRun(runId);
    if (!record) return undefined;
    // One listing of the run's folder says which of its other records exist.
    const entries = new Set(await store.listRunFolder(runId));
    const [end, userTags] = await Promise.all([
      entries.has("end.json") ? store.readRunEnd(runId) : undefined,
      readUserTags(store, record, entries),
    ]);
    const run = new Run<A>({ context, record, end, userTags });
    run.#endTask = await run.#openEndTask();
    return run;
  }

  async #openEndTask(): Promise<Task<A> | undefined> {
    const name = this.#record.steps.find((s) => s.next.length === 0)?.name ?? "end";
    // The end step is outside every foreach, so its one task is "0" (task/derive-task.ts);
    // opening it directly saves listing the step's folder.
    return Task.openIfStarted<A>({ context: this.#context, run: this, step: name, id: "0" });
  }

  /** `Flow/runId`. */
  get pathspec(): string {
    return `${this.flow}/${this.id}`;
  }

  /** `killed`: no end record and the local runtime that drove the run is gone. */
  get status(): RunStatus {
    return runStatus(this.#record, this.#end);
  }

  /** The run ended and succeeded. */
  get successful(): boolean {
    return this.status === "succeeded";
  }

  /** The end step finished (caught failures count), so the flow went all the way through. */
  get finished(): boolean {
    return this.#endTask?.finished ?? false;
  }

  /** Why the run failed: the first failing task and its error, or an interruption. */
  get failureReason(): string | undefined {
    return this.#end?.reason;
  }

  /** A failed run that its caller stopped (the programmatic API's AbortSignal or `cancel()`), not a failure of its own. */
  get cancelled(): boolean {
    return this.#end?.cancelled === true;
  }

  get startedAt(): Date {
    return new Date(this.#record.startedAt);
  }

  /** When the run ended; undefined while it runs (or when it was killed). */
  get endedAt(): Date | undefined {
    return this.#end ? new Date(this.#end.endedAt) : undefined;
  }

  /** Who started the run. */
  get user(): string {
    return this.#record.user;
  }

  /** The namespace the run ran in: `user:<name>` or `production:<token>`. */
  get namespace(): string {
    return this.#record.namespace;
  }

  /** Tags users gave (`run --tag`, `tag add`). */
  get userTags(): readonly string[] {
    return this.#userTags;
  }

  /** Tags flowship set: the namespace, `runtime:…`, `flowship_version:…`. */
  get systemTags(): readonly string[] {
    return this.#record.systemTags;
  }

  /** User tags and system tags. */
  get tags(): readonly string[] {
    return [...new Set([...this.#userTags, ...this.#record.systemTags])];
  }

  /** The run this one resumed, when it was started by `resume` (locally or on Step Functions). */
  get originRunId(): string | undefined {
    return this.#record.originRunId;
  }

  /** `Flow/originRunId` for a run started by `resume` (Metaflow's `origin_pathspec`), else undefined. */
  get originPathspec(): string | undefined {
    return this.#record.originRunId === undefined ? undefined : `${this.flow}/${this.#record.originRunId}`;
  }

  /** Whether the run carries every one of `tags` (user or system tags); its steps and tasks carry them too. */
  hasTags(tags: readonly string[] = []): boolean {
    const all = this.tags;
    return tags.every((tag) => all.includes(tag));
  }

  /**
   * The schedule's fire time the run stands for (a scheduled or backfilled run, `run
   * --scheduled-time`), as its steps saw it in `current.scheduledTime`.
   */
  get scheduledTime(): Date | undefined {
    return this.#record.scheduledTime ? new Date(this.#record.scheduledTime) : undefined;
  }

  /** sha256 of the compiled code the run's tasks ran. */
  get codeHash(): string {
    return this.#record.codeHash;
  }

  /** The task of the flow's end step, once it started. */
  get endTask(): Task<A> | undefined {
    return this.#endTask;
  }

  /** The flow's steps as the run recorded them (name, type, next steps, a switch's cases), in order. */
  get graph(): readonly RecordedStep[] {
    return this.#record.steps;
  }

  /** The end task's artifacts, read lazily: `await run.data?.total`. Undefined without an end task. */
  get data(): LazyData<A> | undefined {
    return this.#endTask?.data;
  }

  /** True when `ns` (null = global) is the run's namespace or one of its tags. */
  isInNamespace(ns: Namespace): boolean {
    return inNamespace({ namespace: this.namespace, tags: this.#userTags, systemTags: this.systemTags }, ns);
  }

  /** The parameters' values the run started with. */
  async parameters(): Promise<Record<string, unknown>> {
    const content = this.#context.store(this.flow).content;
    const entries = Object.entries(this.#record.parameters).map(
      async ([name, ref]) =>
        [
          name,
          await new DataArtifact({ name, pathspec: `${this.pathspec}/${name}`, ref, content }).load(),
        ] as const,
    );
    return Object.fromEntries(await Promise.all(entries));
  }

  /**
   * The steps that have tasks, in the flow's order. Steps carry their run's tags, so with `tags`
   * the list is every step when the run has them all, else empty (as Metaflow's `run.steps(*tags)`).
   */
  async steps(options: { tags?: readonly string[] } = {}): Promise<Step<A>[]> {
    // A string (Metaflow's steps("tag")) is refused, not ignored as no filter.
    if (!this.hasTags(tagsOption("run.steps()", options))) return [];
    const present = new Set(await this.#context.store(this.flow).listSteps(this.id));
    const ordered = this.#record.steps.map((s) => s.name).filter((name) => present.has(name));
    const rest = [...present].filter((name) => !ordered.includes(name)).sort();
    const steps = await Promise.all(
      [...ordered, ...rest].map((name) => Step.openIfAny<A>(this.#context, this, name)),
    );
    return steps.filter((step): step is Step<A> => step !== undefined);
  }

  /** One step by name. */
  async step(name: string): Promise<Step<A>> {
    parsePathspec(`${this.pathspec}/${name}`, "step");
    return Step.open<A>(this.#context, this, name);
  }

  /** Adds user tags (a system tag is already there, so adding one changes nothing); returns them. */
  async addTags(...tags: string[]): Promise<readonly string[]> {
    this.#userTags = await changeUserTags(this.#context.store(this.flow), this.#record, { add: tags });
    return this.#userTags;
  }

  /** Removes user tags; removing a system tag fails with FS_CLIENT_SYSTEM_TAG. Returns the rest. */
  async removeTags(...tags: string[]): Promise<readonly string[]> {
    this.#userTags = await changeUserTags(this.#context.store(this.flow), this.#record, { remove: tags });
    return this.#userTags;
  }

  /**
   * Removes `remove` and adds `add` in one change, so no reader sees the run with neither (a tag
   * in both stays). Removing a system tag fails with FS_CLIENT_SYSTEM_TAG. Returns the user tags.
   *
   * @example
   * await run.replaceTags(["candidate"], ["released"]);
   */
  async replaceTags(remove: readonly string[], add: readonly string[]): Promise<readonly string[]> {
    this.#userTags = await changeUserTags(this.#context.store(this.flow), this.#record, { remove, add });
    return this.#userTags;
  }
}
