/**
 * Exit codes of a task process. Their own module: the runtime reads them without loading the
 * executor (task/executor.ts) and all a task needs, which a run's start-up would pay for.
 */
export const TASK_EXIT = { ok: 0, failed: 1, noRetry: 202 } as const;
