/** Reads runs the way a user would, through the Client API, to compare what runs stored. */

import type { DatastoreOption } from "../../src/client/index.js";
import { Run } from "../../src/client/index.js";

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
