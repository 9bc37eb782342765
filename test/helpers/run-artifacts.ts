/** Reads runs the way a user would, through the Client API, to compare what runs stored. */

import type { DatastoreOption } from "../../src/client/index.js";
import { Run, Task } from "../../src/client/index.js";

/** Every artifact of every task of a run: `{ "step/task": { name: value } }`. */
export async function runArtifacts(
  datastore: DatastoreOption,
  pathspec: string,
): Promise<Record<string, Record<string, unknown>>> {
  const run = await Run.get(pathspec, { datastore, namespace: null });
  const result: Record<string, Record<string, unknown>> = {};
  for (const step of await run.steps()) {
    for (const task of await step.tasks()) {
      const values: Record<string, unknown> = {};
      for (const artifact of task.artifacts()) values[artifact.name] = await artifact.load();
      result[`${step.name}/${task.id}`] = values;
    }
  }
  return result;
}

/**
 * The end task's artifacts of a run; a caught error's stack names the files where it ran (a
 * container's folder, or this machine's), so it is replaced by a marker.
 */
export async function endArtifacts(pathspec: string, options: object): Promise<Record<string, unknown>> {
  const task = await Task.get(`${pathspec}/end/0`, options);
  const values: Record<string, unknown> = {};
  for (const artifact of task.artifacts()) {
    const value = await artifact.load();
    values[artifact.name] =
      typeof value === "object" && value !== null && "stack" in value
        ? { ...value, stack: "<stack>" }
        : value;
  }
  return values;
}
