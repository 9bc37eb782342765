/**
 * `current`: facts about the task that is running, readable from any step code.
 * Outside a task every field is undefined (and `isProduction` false).
 */
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
  tags: readonly string[];
}

const CONTEXT = Symbol.for("flowship.current");
type Holder = { [CONTEXT]?: CurrentTask };

/** @internal Set by the task executor before user code runs. */
export function setCurrentTask(task: CurrentTask | undefined): void {
  (globalThis as Holder)[CONTEXT] = task;
}

function read<K extends keyof CurrentTask>(key: K): CurrentTask[K] | undefined {
  return (globalThis as Holder)[CONTEXT]?.[key];
}

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
  get originRunId() {
    return read("originRunId");
  },
  get tags() {
    return read("tags") ?? [];
  },
  /** True while a step of a flow is running in this process. */
  get isRunningFlow() {
    return (globalThis as Holder)[CONTEXT] !== undefined;
  },
};
