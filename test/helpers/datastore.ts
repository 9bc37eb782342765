/** Reads runs straight from a local datastore folder, to check what a run stored. */
import fs from "node:fs";
import path from "node:path";
import { LocalStorage } from "../../src/datastore/backends/local.js";
import { FlowStore } from "../../src/datastore/flow-store.js";

export function flowStore(root: string, flow: string): FlowStore {
  return new FlowStore({ storage: new LocalStorage({ root }), flow });
}

/** The artifacts of a task's latest successful attempt, loaded. */
export async function taskArtifacts(
  root: string,
  flow: string,
  runId: string,
  step: string,
  taskId = "0",
): Promise<Record<string, unknown>> {
  const store = flowStore(root, flow);
  const end = await store.readSuccessfulEnd(runId, step, taskId);
  if (!end) throw new Error(`${flow}/${runId}/${step}/${taskId} has no successful attempt`);
  await store.content.prefetch(Object.values(end.artifacts));
  return Object.fromEntries(
    Object.entries(end.artifacts).map(([name, ref]) => [name, store.content.get(ref, name)]),
  );
}

/** Writes a flow file into `dir` and returns its path. */
/** Writes `<dir>/<name>.ts` with flowSource(body); returns its path. */
export function writeFlowFile(dir: string, name: string, body: string): string {
  const file = path.join(dir, `${name}.ts`);
  fs.writeFileSync(file, flowSource(body));
  return file;
}

export function flowSource(body: string): string {
  return `import { flow, retry, catchError, timeout, resources, environment, schedule, mergeArtifacts, current, batch } from "flowship";\n${body}\n`;
}
