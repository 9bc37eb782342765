/**
 * A new run's record and its parameters, built the same way by the local runtime and by the
 * Batch entrypoint that starts a production run.
 */

import os from "node:os";
import { currentUser, productionToken } from "../config.js";
import type { ArtifactRef } from "../datastore/content-store.js";
import type { FlowStore } from "../datastore/flow-store.js";
import type { RunRecord } from "../datastore/records-types.js";
import { encodeArtifact, UnstorableArtifactError } from "../datastore/serializer.js";
import { FlowshipError } from "../errors.js";
import { type ProjectBranch, projectTags, resolveBranch } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";
import { nodeType } from "../graph/flow-graph.js";
import { FLOWSHIP_VERSION } from "../version.js";
import type { RunStart } from "./resolve-parameters.js";
import type { RunOptions } from "./run-options.js";

/** The user a deployed run is recorded as: Step Functions runs it for nobody in particular. */
export const PRODUCTION_USER = "step-functions";

/** Stores each parameter value as an artifact blob; the run record keeps their references. */
export async function storeParameters(
  store: FlowStore,
  values: Record<string, unknown>,
): Promise<Record<string, ArtifactRef>> {
  const parameters: Record<string, ArtifactRef> = {};
  for (const [name, value] of Object.entries(values)) {
    let encoded: ReturnType<typeof encodeArtifact>;
    try {
      encoded = encodeArtifact(name, "parameters", value);
    } catch (error) {
      // A value given on the command line that could not be read back: the user's input is wrong.
      if (!(error instanceof UnstorableArtifactError)) throw error;
      const reason = error.message.replace(/^Cannot store artifact '[^']*' of step 'parameters': /, "");
      throw new FlowshipError("FS_PARAMETER_UNSTORABLE", `Invalid value for parameter '${name}': ${reason}`, {
        exitCode: 2,
      });
    }
    parameters[name] = await store.content.put(encoded);
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
  /** The fire time the run stands for (ISO 8601). */
  scheduledTime?: string;
  /** The project branch of a flow with a project: `project:` and `project_branch:` system tags. */
  project?: ProjectBranch;
}

export function newRunRecord(fields: NewRunFields): RunRecord {
  return {
    flow: fields.flow.name,
    runId: fields.runId,
    user: fields.user,
    namespace: fields.namespace,
    tags: [...new Set(fields.tags)],
    systemTags: [
      fields.namespace,
      // A deployed run's namespace is its production token's; it names its user too, as every
      // local run does (Metaflow's `user:SFN`), so it can be found by user like any run.
      ...(fields.runtime === "step-functions" ? [`user:${fields.user}`] : []),
      `runtime:${fields.runtime}`,
      `flowship_version:${FLOWSHIP_VERSION}`,
      ...(fields.project ? projectTags(fields.project) : []),
    ],
    parameters: fields.parameters,
    startedAt: new Date().toISOString(),
    flowshipVersion: FLOWSHIP_VERSION,
    codeHash: fields.codeHash,
    host: os.hostname(),
    pid: process.pid,
    runtime: fields.runtime,
    ...(fields.originRunId ? { originRunId: fields.originRunId } : {}),
    ...(fields.scheduledTime ? { scheduledTime: fields.scheduledTime } : {}),
    // The graph's node types (linear, split, foreach, switch, join, end); runs before 2026-11
    // recorded "step" or "join".
    steps: fields.flow.steps.map((s) => ({
      name: s.name,
      type: nodeType(s),
      next: s.next,
      ...(s.cases ? { cases: s.cases } : {}),
    })),
  };
}

/** Who starts a local run, its namespace and its project branch. */
export function localRunStart(
  options: Pick<RunOptions, "flow" | "project">,
): RunStart & { namespace: string } {
  const user = currentUser();
  const token = productionToken();
  // Local runs of a project's flow are in the user's own branch, as a default deploy is.
  const project = options.project ?? resolveBranch(options.flow, {}, user);
  return {
    user,
    namespace: token ? `production:${token}` : `user:${user}`,
    ...(project ? { project } : {}),
  };
}

/** Claims a fresh run id (retrying on a collision with a concurrent run) and writes the record. */
export async function createLocalRun(
  options: Pick<RunOptions, "flow" | "tags" | "compiled" | "resume" | "project">,
  store: FlowStore,
  parameters: Record<string, ArtifactRef>,
  scheduledTime?: string,
): Promise<RunRecord> {
  const { user, namespace, project } = localRunStart(options);
  for (let attempt = 0; ; attempt++) {
    const runId = String(Date.now() + attempt);
    if (!(await store.claimRunId(runId))) continue;
    const record = newRunRecord({
      flow: options.flow,
      runId,
      user,
      namespace,
      tags: options.tags,
      parameters,
      codeHash: options.compiled.codeHash,
      runtime: "local",
      ...(options.resume ? { originRunId: options.resume.originRunId } : {}),
      ...(scheduledTime ? { scheduledTime } : {}),
      ...(project ? { project } : {}),
    });
    await store.writeRun(record);
    return record;
  }
}
