/** A step of a run: the tasks that ran its code (one, or one per foreach item). */

import { parsePathspec } from "../datastore/pathspec.js";
import { compareTaskIds } from "../task/task-id.js";
import { type ClientContext, type ClientOptions, openContext } from "./client-context.js";
import type { AnyArtifacts } from "./data-artifact.js";
import { AmbiguousTaskError, assertOpenedByClient, ObjectNotFoundError } from "./errors.js";
import { Run } from "./run.js";
import { tagsOption } from "./tags-option.js";
import { Task, type TaskOptions } from "./task.js";

/** A step of a run (`Flow/run/step`), with the ids of its tasks. */
export class Step<A extends object = AnyArtifacts> {
  readonly run: Run<A>;
  /** The step's name. */
  readonly name: string;
  readonly #context: ClientContext;
  readonly #taskIds: string[];

  /** @internal Use {@link Step.get} or `Run.steps()`. */
  constructor(options: { context: ClientContext; run: Run<A>; name: string; taskIds: string[] }) {
    assertOpenedByClient("Step", options);
    this.#context = options.context;
    this.run = options.run;
    this.name = options.name;
    this.#taskIds = [...options.taskIds].sort(compareTaskIds);
  }

  /**
   * Opens `Flow/run/step`.
   *
   * @example
   * const step = await Step.get("ForeachFlow/1795510290707/square");
   * for (const task of await step.tasks()) console.log(task.id, await task.data.result);
   */
  static async get<A extends object = AnyArtifacts>(
    pathspec: string,
    options: ClientOptions = {},
  ): Promise<Step<A>> {
    const { flow, runId, step } = parsePathspec(pathspec, "step");
    const context = await openContext(options);
    return Step.open<A>(context, await Run.open<A>(context, flow, runId!), step!);
  }

  /**
   * @internal Opens a step of an opened run, or undefined when it has no task folder: a run
   * killed while it created the step's first task folder leaves the step's folder empty.
   */
  static async openIfAny<A extends object = AnyArtifacts>(
    context: ClientContext,
    run: Run<A>,
    name: string,
  ): Promise<Step<A> | undefined> {
    const taskIds = await context.store(run.flow).listTasks(run.id, name);
    return taskIds.length === 0 ? undefined : new Step<A>({ context, run, name, taskIds });
  }

  /** @internal Opens a step of an opened run. */
  static async open<A extends object = AnyArtifacts>(
    context: ClientContext,
    run: Run<A>,
    name: string,
  ): Promise<Step<A>> {
    const step = await Step.openIfAny<A>(context, run, name);
    if (!step) {
      throw new ObjectNotFoundError({
        kind: "Step",
        pathspec: `${run.pathspec}/${name}`,
        datastore: context.datastore,
        hint: "The run has no task of this step; list the steps it ran with run.steps() or `logs <run>`",
      });
    }
    return step;
  }

  get flow(): string {
    return this.run.flow;
  }

  /** `Flow/run/step`. */
  get pathspec(): string {
    return `${this.run.pathspec}/${this.name}`;
  }

  /** The run's user tags: a step has no tags of its own. */
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

  /** For a step of a resumed run: the same step in the run it resumed (`Flow/originRunId/step`). */
  get originPathspec(): string | undefined {
    const run = this.run.originPathspec;
    return run === undefined ? undefined : `${run}/${this.name}`;
  }

  /** Ids of the step's tasks, in foreach-index order; reads nothing. */
  get taskIds(): readonly string[] {
    return this.#taskIds;
  }

  /**
   * The step's tasks in foreach-index order, each showing its latest attempt. Tasks carry their
   * run's tags: with `tags`, every task when the run has them all, else none.
   */
  async tasks(options: { tags?: readonly string[] } = {}): Promise<Task<A>[]> {
    // A string (Metaflow's tasks("tag")) is refused, not ignored as no filter.
    if (!this.run.hasTags(tagsOption("step.tasks()", options))) return [];
    const tasks = await Promise.all(
      this.#taskIds.map((id) =>
        Task.openIfStarted<A>({ context: this.#context, run: this.run, step: this.name, id }),
      ),
    );
    return tasks.filter((task): task is Task<A> => task !== undefined);
  }

  /**
   * One task: the one named by `id`, or the step's only task when `id` is left out (a step
   * inside a foreach has several; then name one or use `tasks()`).
   */
  async task(id?: string, options: Pick<TaskOptions, "attempt"> = {}): Promise<Task<A>> {
    if (id === undefined && this.#taskIds.length > 1) {
      throw new AmbiguousTaskError({ pathspec: this.pathspec, count: this.#taskIds.length });
    }
    if (id !== undefined) parsePathspec(`${this.pathspec}/${id}`, "task");
    return Task.open<A>({
      context: this.#context,
      run: this.run,
      step: this.name,
      id: id ?? this.#taskIds[0]!,
      attempt: options.attempt,
    });
  }
}
