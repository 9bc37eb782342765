/**
 * A new run's record and its parameters, built the same way by the local runtime and by the
 * Batch entrypoint that starts a production run.
 */
import os from "node:os";
import type { ArtifactRef } from "../datastore/content-store.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { RunRecord } from "../datastore/records-types.js";
import { encodeArtifact } from "../datastore/serializer.js";
import type { FlowSpec } from "../flow/types.js";
import { FLOWSHIP_VERSION } from "../version.js";

/** Stores each parameter value as an artifact blob; the run record keeps their references. */
export async function storeParameters(
  store: FlowStore,
  values: Record<string, unknown>,
): Promise<Record<string, ArtifactRef>> {
  const parameters: Record<string, ArtifactRef> = {};
  for (const [name, value] of Object.entries(values)) {
    parameters[name] = await store.content.put(encodeArtifact(name, "parameters", value));
  }
  return parameters;
}

export interface NewRunFields {
  flow: FlowSpec;
  runId: string;
  user: string;
  namespace: string;
  tags: readonly string[];
  parameters: Record<string, ArtifactRef>;
  codeHash: string;
  runtime: RunRecord["runtime"];
  originRunId?: string;
}

export function newRunRecord(fields: NewRunFields): RunRecord {
  return {
    flow: fields.flow.name,
    runId: fields.runId,
    user: fields.user,
    namespace: fields.namespace,
    tags: [...new Set(fields.tags)],
    systemTags: [fields.namespace, `runtime:${fields.runtime}`, `flowship_version:${FLOWSHIP_VERSION}`],
    parameters: fields.parameters,
    startedAt: new Date().toISOString(),
    flowshipVersion: FLOWSHIP_VERSION,
    codeHash: fields.codeHash,
    host: os.hostname(),
    pid: process.pid,
    runtime: fields.runtime,
    ...(fields.originRunId ? { originRunId: fields.originRunId } : {}),
    steps: fields.flow.steps.map((s) => ({ name: s.name, type: s.join ? "join" : "step", next: s.next })),
  };
}
