/**
 * A task: one step's work on one input (task id "0", or the foreach indices such as "1.2"), as
 * recorded by its attempts. A Task shows one attempt, the latest unless another is asked for.
 */
import type { CardRecord } from "../card/card-record.js";
import type { LogStream, TaskAttempts } from "../datastore/flow-store.js";
import { parsePathspec } from "../datastore/pathspec.js";
import type { AttemptEndRecord, AttemptStartRecord, ForeachFrame } from "../datastore/records-types.js";
import type { StepFailure } from "../errors.js";
import { closestName } from "../util/did-you-mean.js";
import { type ClientContext, type ClientOptions, openContext } from "./client-context.js";
import { type AnyArtifacts, DataArtifact, type LazyData, lazyData } from "./data-artifact.js";
import { assertOpenedByClient, ClientOptionsError, ObjectNotFoundError } from "./errors.js";
import { loadForeachInput } from "./foreach-input.js";
import { Run } from "./run.js";

/** How one attempt went. `running` also covers an attempt whose process died unrecorded. */
export type AttemptStatus = "running" | "succeeded" | "failed";

/** One attempt of a task, from its start and end records. */
export interface TaskAttempt {
  attempt: number;
  status: AttemptStatus;
  /** The attempt failed but catchError handled it, so the flow went on. */
  caught: boolean;
  startedAt: Date;
  endedAt?: Date;
  /** Why the attempt failed (also set when the failure was caught). */
  failure?: StepFailure;
  host: string;
}

/** Options of {@link Task.get}. */
export interface TaskOptions extends ClientOptions {
  /**
   * Which attempt to show (0 is the first).
   * @default the latest attempt
   */
  attempt?: number;
}

function toAttempt(start: AttemptStartRecord, end: AttemptEndRecord | undefined): TaskAttempt {
  return {
    attempt: start.attempt,
    status: end ? end.status : "running",
    caught: end?.caught === true,
    startedAt: new Date(start.startedAt),
    ...(end ? { endedAt: new Date(end.endedAt) } : {}),
    ...(end?.failure ? { failure: end.failure } : {}),
    host: start.host,
  };
}

export class Task<A extends object = AnyArtifacts> {
  readonly run: Run<A>;
  /** The step's name. */
  readonly step: string;
  /** The task id: "0", or the foreach indices joined with "." (e.g. "1.2"). */
  readonly id: string;
  /** The attempt this object shows. */
  readonly attempt: number;
  readonly #context: ClientContext;
  readonly #records: TaskAttempts;
  readonly #start: AttemptStartRecord;
  readonly #end: AttemptEndRecord | undefined;
  #artifacts?: DataArtifact[];

  /** @internal Use {@link Task.get}, `Step.tasks()` or `Step.task()`. */
  constructor(options: {
    context: ClientContext;
    run: Run<A>;
    step: string;
    id: string;
    records: TaskAttempts;
    attempt: number;
  }) {
    assertOpenedByClient("Task", options);
    this.#context = options.context;
    this.run = options.run;
    this.step = options.step;
    this.id = options.id;
    this.attempt = options.attempt;
    this.#records = options.records;
    this.#start = options.records.starts.get(options.attempt)!;
    this.#end = options.records.ends.get(options.attempt);
  }

  /**
   * Opens `Flow/run/step/task`, showing its latest attempt or `options.attempt`.
   *
   * @example
   * const task = await Task.get("ForeachFlow/1795510290707/square/2");
   * console.log(task.index, await task.input(), await task.data.result);
   */
  static async get<A extends object = AnyArtifacts>(
    pathspec: string,
    options: TaskOptions = {},
  ): Promise<Task<A>> {
    const { flow, runId, step, taskId } = parsePathspec(pathspec, "task");
    const context = await openContext(options);
    const run = await Run.open<A>(context, flow, runId!);
    return Task.open<A>({ context, run, step: step!, id: taskId!, attempt: options.attempt });
  }

  /**
   * @internal Opens a task, or undefined when its folder holds no start record: a process killed
   * before it recorded its start leaves only log files behind, and that is not a task.
   */
  static async openIfStarted<A extends object = AnyArtifacts>(options: {
    context: ClientContext;
    run: Run<A>;
    step: string;
    id: string;
  }): Promise<Task<A> | undefined> {
    const records = await options.context
      .store(options.run.flow)
      .readAttempts(options.run.id, options.step, options.id);
    return records ? new Task<A>({ ...options, records, attempt: records.latest }) : undefined;
  }

  /** @internal Opens a task of an opened run; undefined attempt = the latest. */
  static async open<A extends object = AnyArtifacts>(options: {
    context: ClientContext;
    run: Run<A>;
    step: string;
    id: string;
    attempt?: number | undefined;
  }): Promise<Task<A>> {
    const { context, run, step, id } = options;
    // `{ attempt: process.argv[3] }` is the text "1", which no attempt number equals.
    if (options.attempt !== undefined && !Number.isSafeInteger(options.attempt)) {
      throw new ClientOptionsError(
        "Task.get()",
        `'attempt' is a whole number such as 1, got ${JSON.stringify(options.attempt) ?? String(options.attempt)}`,
      );
    }
    const records = await context.store(run.flow).readAttempts(run.id, step, id);
    const pathspec = `${run.pathspec}/${step}/${id}`;
    if (!records) {
      throw new ObjectNotFoundError({ kind: "Task", pathspec, datastore: context.datastore });
    }
    const attempt = options.attempt ?? records.latest;
    if (!records.starts.has(attempt)) {
      throw new ObjectNotFoundError({
        kind: "Attempt",
        pathspec: `${pathspec}#${attempt}`,
        datastore: context.datastore,
        hint: `The task has attempts ${[...records.starts.keys()].sort((a, b) => a - b).join(", ")}; pass one of them`,
      });
    }
    return new Task<A>({ context, run, step, id, records, attempt });
  }

  get flow(): string {
    return this.run.flow;
  }

  /** `Flow/run/step/task`. */
  get pathspec(): string {
    return `${this.run.pathspec}/${this.step}/${this.id}`;
  }

  get status(): AttemptStatus {
    return this.#end ? this.#end.status : "running";
  }

  /** The attempt succeeded and no failure was caught. */
  get successful(): boolean {
    return this.#end?.status === "succeeded" && this.#end.caught !== true;
  }

  /** The attempt ended so that the flow went on: succeeded, or failed and caught by catchError. */
  get finished(): boolean {
    return this.#end?.status === "succeeded";
  }

  /**
   * For a task of a switch step: `String(value)` of its condition and the step its case led to,
   * e.g. `{ value: "true", next: "loop_body" }`.
   */
  get choice(): { readonly value: string; readonly next: string } | undefined {
    return this.#end?.switch;
  }

  /** The failure of this attempt (also when catchError caught it). */
  get exception(): StepFailure | undefined {
    return this.#end?.failure;
  }

  get startedAt(): Date {
    return new Date(this.#start.startedAt);
  }

  get endedAt(): Date | undefined {
    return this.#end ? new Date(this.#end.endedAt) : undefined;
  }

  /** The foreach frames this task is inside, outermost first (empty outside any foreach). */
  get foreachStack(): readonly ForeachFrame[] {
    return this.#start.foreachStack;
  }

  /** The innermost foreach index, or undefined outside a foreach. */
  get index(): number | undefined {
    return this.#start.foreachStack.at(-1)?.index;
  }

  /** Pathspecs (`Flow/run/step/task`) of the tasks this one read its inputs from. */
  get inputs(): string[] {
    return this.#start.inputs.map((path) => `${this.flow}/${path}`);
  }

  /** For a task that `resume` cloned: the task it was copied from (`Flow/run/step/task`). */
  get origin(): string | undefined {
    return this.#start.origin ?? this.#end?.origin;
  }

  /** Same as {@link Task.origin}, by Metaflow's name. */
  get originPathspec(): string | undefined {
    return this.origin;
  }

  /** The run's user tags: a task has no tags of its own. */
  get userTags(): readonly string[] {
    return this.run.userTags;
  }

  /** The run's system tags. */
  get systemTags(): readonly string[] {
    return this.run.systemTags;
  }

  /** The run's user and system tags. */
  get tags(): readonly string[] {
    return this.run.tags;
  }

  /** Every attempt of the task, first to last. */
  attempts(): TaskAttempt[] {
    return [...this.#records.starts.keys()]
      .sort((a, b) => a - b)
      .map((n) => toAttempt(this.#records.starts.get(n)!, this.#records.ends.get(n)));
  }

  /** The artifacts this attempt stored, by name; reads no values. */
  artifacts(): DataArtifact[] {
    this.#artifacts ??= Object.entries(this.#end?.artifacts ?? {})
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(
        ([name, ref]) =>
          new DataArtifact({
            name,
            pathspec: `${this.pathspec}/${name}`,
            ref,
            content: this.#context.store(this.flow).content,
          }),
      );
    return this.#artifacts;
  }

  /** One artifact; throws FS_CLIENT_NOT_FOUND when the attempt stored none by that name. */
  artifact(name: string): DataArtifact {
    const found = this.artifacts().find((a) => a.name === name);
    if (!found) throw this.#missingArtifact(name);
    return found;
  }

  #missingArtifact(name: string): ObjectNotFoundError {
    const names = this.artifacts().map((a) => a.name);
    const guess = closestName(name, names);
    return new ObjectNotFoundError({
      kind: "Artifact",
      pathspec: `${this.pathspec}/${name}`,
      datastore: this.#context.datastore,
      hint:
        names.length === 0
          ? "The task stored no artifacts"
          : `${guess ? `Did you mean '${guess}'? ` : ""}The task's artifacts are: ${names.join(", ")}`,
    });
  }

  /** Reads one artifact's value. */
  load<T = unknown>(name: string): Promise<T> {
    return this.artifact(name).load<T>();
  }

  /** Artifact values by name, each read when its property is read: `await task.data.result`. */
  get data(): LazyData<A> {
    // A only describes what the caller said the flow's artifacts are; nothing checks it.
    return lazyData(this.artifacts(), (name) => this.#missingArtifact(name)) as unknown as LazyData<A>;
  }

  /** The foreach item this task worked on (`self.input` in the step), or undefined. */
  input<T = unknown>(): Promise<T> {
    return loadForeachInput(
      this.#context.store(this.flow),
      this.run.id,
      this.#start.foreachStack,
      `task '${this.pathspec}'`,
    ) as Promise<T>;
  }

  /**
   * The cards of this attempt, the default card first: what the step drew with `current.card`,
   * as data (`card get` draws them as HTML). While the attempt runs, what it last refreshed
   * (`final` false).
   * @example
   * for (const card of await task.cards()) console.log(card.id, card.components.map((c) => c.type));
   */
  cards(): Promise<CardRecord[]> {
    return this.#context.store(this.flow).readCards(this.run.id, this.step, this.id, this.attempt);
  }

  /** What the attempt printed to stdout ("" when nothing was stored, e.g. for cloned tasks). */
  stdout(): Promise<string> {
    return this.#log("stdout");
  }

  /** What the attempt printed to stderr. */
  stderr(): Promise<string> {
    return this.#log("stderr");
  }

  async #log(stream: LogStream): Promise<string> {
    const store = this.#context.store(this.flow);
    const bytes = await store.storage.read(
      store.logKey(this.run.id, this.step, this.id, this.attempt, stream),
    );
    return bytes?.toString("utf8") ?? "";
  }
}
