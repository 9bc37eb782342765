/**
 * The record of a production run, written by the first job of its execution: the start step
 * (parameters and fire time from the execution input), or the resume job of a resume with a fix
 * (its origin's parameters and fire time, and the origin's id).
 */
import fs from "node:fs";
import path from "node:path";
import { deployedProjectBranch, deployedRunTags, productionToken } from "../../config.js";
import type { ArtifactRef } from "../../datastore/content-store.js";
import type { FlowStore } from "../../datastore/flow-store.js";
import type { RunRecord } from "../../datastore/records-types.js";
import { FlowshipError } from "../../errors.js";
import { projectOf } from "../../flow/project.js";
import type { FlowSpec } from "../../flow/types.js";
import { type RunStart, resolveParameters } from "../../run/resolve-parameters.js";
import { newRunRecord, PRODUCTION_USER, storeParameters } from "../../run/run-record.js";
import { parseIsoInstant } from "../../util/iso-time.js";
import { MANIFEST_FILE, SOURCE_FOLDER } from "../package/package-layout.js";
import type { BatchEnvironment } from "./batch-environment.js";

export class ProductionRunError extends FlowshipError {}

/** The folder of the flow file among the sources of the code package `bundle` belongs to. */
function packagedFlowFolder(bundle: string): string {
  const root = path.dirname(bundle);
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, MANIFEST_FILE), "utf8")) as {
      flowFile: string;
    };
    return path.join(root, SOURCE_FOLDER, path.dirname(manifest.flowFile));
  } catch {
    return root;
  }
}

/** Who a production run is recorded as, where, and on which project branch: what its defaults see too. */
function productionRunStart(flow: FlowSpec): RunStart & { namespace: string } {
  const namespace = `production:${productionToken() ?? flow.name.toLowerCase()}`;
  const project = projectOf(flow);
  const branch = deployedProjectBranch();
  return { user: PRODUCTION_USER, namespace, ...(project && branch ? { project: { project, branch } } : {}) };
}

/** Writes the record of a production run and makes it the latest started one of its namespace. */
export async function writeProductionRun(
  store: FlowStore,
  flow: FlowSpec,
  fields: {
    runId: string;
    parameters: Record<string, ArtifactRef>;
    codeHash: string;
    originRunId?: string;
    scheduledTime?: string;
  },
): Promise<RunRecord> {
  const start = productionRunStart(flow);
  const namespace = start.namespace;
  const record = newRunRecord({
    flow,
    ...start,
    tags: deployedRunTags(),
    runtime: "step-functions",
    ...fields,
  });
  await store.writeRun(record);
  await store.updateLatest("started", namespace, record.runId, record.startedAt);
  return record;
}

/** The fire time of the execution input as the run records it: UTC ISO, or none for "". */
function scheduledTimeOf(flow: string, text: string | undefined): string | undefined {
  if (!text) return undefined;
  const time = parseIsoInstant(text);
  if (!time) {
    throw new ProductionRunError(
      "FS_BATCH_SCHEDULED_TIME",
      `Invalid execution input for flow '${flow}': "ScheduledTime" must be an ISO 8601 time such as "2026-11-30T02:00:00Z", not '${text}'.`,
    );
  }
  return time.toISOString();
}

/** The start step's run record: parameters and fire time from the execution input. */
export async function createRun(
  store: FlowStore,
  flow: FlowSpec,
  env: BatchEnvironment,
  codeHash: string,
  bundle: string,
): Promise<RunRecord> {
  let given: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(env.parameters || "{}") as unknown;
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
      throw new Error("not a JSON object");
    // null is "not given": what an event trigger's input transformer sends for a field the event lacks.
    given = Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== null));
  } catch (error) {
    throw new ProductionRunError(
      "FS_BATCH_PARAMETERS",
      `Invalid execution input for flow '${flow.name}': "Parameters" must be a JSON object in a string, e.g. {"Parameters": "{\\"alpha\\": 0.5}"} (${(error as Error).message}).`,
    );
  }
  const scheduledTime = scheduledTimeOf(flow.name, env.scheduledTime);
  // includeFile defaults ship in the code package, beside the flow file's own source.
  const values = await resolveParameters(
    flow,
    { json: given, includeBase: packagedFlowFolder(bundle) },
    productionRunStart(flow),
  );
  return writeProductionRun(store, flow, {
    runId: env.runId,
    parameters: await storeParameters(store, values),
    codeHash,
    ...(scheduledTime ? { scheduledTime } : {}),
  });
}
