/**
 * `current`: facts about the task that is running, readable from any step code, and about the run
 * starting while parameter defaults are evaluated. Outside a task every field is undefined (and
 * `isProduction` false).
 */
import { type TaskCard, TaskCards } from "../card/task-cards.js";

/** One enclosing foreach of the running task, outermost first (Metaflow's `foreach_stack()`). */
export interface ForeachLevel {
  /** The foreach step that fanned out. */
  readonly step: string;
  /** The artifact it fanned out over: its `foreach` option (Metaflow's `var`). */
  readonly var: string;
  /** This task's position among that foreach's items, from 0. */
  readonly index: number;
  /** How many items that foreach fanned out over. */
  readonly numSplits: number;
  /** That foreach's item for this task, loaded when asked for. */
  value(): Promise<unknown>;
}

export interface CurrentTask {
  flowName: string;
  runId: string;
  stepName: string;
  taskId: string;
  /** 0 on the first attempt, 1 on the first retry, … */
  retryCount: number;
  namespace: string;
  username: string;
  isProduction: boolean;
  /** `Flow/run/step/task` */
  pathspec: string;
  /** The run this one resumes, if any. */
  originRunId?: string;
  /** The fire time this run stands for (ISO 8601), if it has one. */
  scheduledTime?: string;
  tags: readonly string[];
  foreachStack: readonly ForeachLevel[];
  /** For a flow with `project()`: its project and the branch this run is in. */
  project?: ProjectInfo;
  /** The task's default card; `card.get(id)` gives the others. */
  card?: TaskCard;
  /** The names of the flow's parameters, in declaration order. */
  parameterNames: readonly string[];
}

/**
 * What `current` holds while parameter defaults are evaluated, before the run exists: the flow,
 * who starts it, its namespace and project branch; run, step and task fields stay undefined.
 */
export type CurrentRunStart = Pick<CurrentTask, "flowName" | "username" | "isProduction" | "parameterNames"> &
  Partial<Pick<CurrentTask, "namespace" | "project">>;

/** `current.project`: the project a flow belongs to and the branch of this run (Metaflow's `current.project_name`, `branch_name`, `is_production`, `project_flow_name`). */
export interface ProjectInfo {
  readonly name: string;
  /** `prod`, `test.<name>` or `user.<name>`. */
  readonly branch: string;
  /** True in the production branch (`step-functions create --production`). */
  readonly isProduction: boolean;
  /** The name of this flow's deployment in the branch, e.g. `fraud_prod_FraudFlow`. */
  readonly flowName: string;
}

const CONTEXT = Symbol.for("flowship.current");
type Holder = { [CONTEXT]?: Partial<CurrentTask> };

/** @internal Set by the task executor before user code runs. */
export function setCurrentTask(task: CurrentTask | undefined): void {
  (globalThis as Holder)[CONTEXT] = task;
}

/**
 * @internal Runs a parameter's default function with `current` describing the run about to start
 * (Metaflow's `current` in a default: flow name, user, project and branch), then puts back what
 * `current` held before.
 */
export async function withCurrentRunStart<T>(facts: CurrentRunStart, evaluate: () => Promise<T>): Promise<T> {
  const holder = globalThis as Holder;
  const before = holder[CONTEXT];
  holder[CONTEXT] = facts;
  try {
    return await evaluate();
  } finally {
    holder[CONTEXT] = before;
  }
}

function read<K extends keyof CurrentTask>(key: K): CurrentTask[K] | undefined {
  return (globalThis as Holder)[CONTEXT]?.[key];
}

/** Outside a task, `current.card` collects components that go nowhere (step code unit-tests run as they are). */
let detachedCards: TaskCards | undefined;

/**
 * @example
 * import { current } from "flowship";
 * console.log(`${current.flowName}/${current.runId}/${current.stepName}/${current.taskId}`);
 */
export const current = {
  get flowName() {
    return read("flowName");
  },
  get runId() {
    return read("runId");
  },
  get stepName() {
    return read("stepName");
  },
  get taskId() {
    return read("taskId");
  },
  get retryCount() {
    return read("retryCount");
  },
  get namespace() {
    return read("namespace");
  },
  get username() {
    return read("username");
  },
  get isProduction() {
    return read("isProduction") ?? false;
  },
  get pathspec() {
    return read("pathspec");
  },
  /** The flow's project and this run's branch; undefined for a flow without `project()`. */
  get project() {
    return read("project");
  },
  get originRunId() {
    return read("originRunId");
  },
  /**
   * The schedule's fire time this run stands for: set in runs a schedule or `step-functions
   * backfill` started, and by `run --scheduled-time`; a resumed run keeps its origin's. Undefined
   * otherwise. A new Date on each read.
   * @example
   * const day = (current.scheduledTime ?? new Date()).toISOString().slice(0, 10);
   */
  get scheduledTime(): Date | undefined {
    const time = read("scheduledTime");
    return time === undefined ? undefined : new Date(time);
  },
  get tags() {
    return read("tags") ?? [];
  },
  /**
   * The foreaches this task is inside, outermost first; empty outside any.
   * @example
   * for (const level of current.foreachStack) console.log(level.step, level.index, "of", level.numSplits, await level.value());
   */
  get foreachStack(): readonly ForeachLevel[] {
    return read("foreachStack") ?? [];
  },
  /**
   * The task's default card: append components, publish while running with `refresh()`, reach
   * other cards with `get(id)`. Stored with the task attempt; shown by the UI and `card get`.
   * @example
   * import { current, markdown, table } from "flowship";
   * current.card.append(markdown("# Scores")).append(table(scores));
   * current.card.get("loss", { title: "Loss" }).append(chart(lossSpec));
   */
  get card(): TaskCard {
    const card = read("card");
    if (card) return card;
    detachedCards ??= new TaskCards({ publish: async () => {}, where: "outside a task" });
    return detachedCards.card();
  },
  /** The names of the flow's parameters (Metaflow's `current.parameter_names`); empty outside a flow. */
  get parameterNames(): readonly string[] {
    return read("parameterNames") ?? [];
  },
  /** True while a step of a flow is running in this process (not while defaults are evaluated). */
  get isRunningFlow() {
    return read("stepName") !== undefined;
  },
};
