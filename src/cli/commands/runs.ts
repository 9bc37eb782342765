import type { Command } from "commander";
import { datastoreLocation } from "../../aws/batch/datastore-location.js";
import { effectiveSettings } from "../../aws/deploy/aws-settings.js";
import type { DatastoreOption } from "../../client/client-context.js";
import { Flow } from "../../client/flow.js";
import { getNamespace, type Namespace } from "../../client/namespace.js";
import type { Run } from "../../client/run.js";
import { isFlowshipError, UsageError } from "../../errors.js";
import type { FlowCommandContext } from "../command-context.js";
import { collect } from "../options.js";

/** Options to choose the namespace of a listing. */
export interface NamespaceFlags {
  namespace?: string;
  all: boolean;
}

export function addNamespaceOptions(command: Command): Command {
  return command
    .option("--namespace <ns>", "list the runs of this namespace, e.g. user:alice (default: yours)")
    .option("--all", "list the runs of every namespace", false);
}

export function listNamespace(flags: NamespaceFlags): Namespace {
  if (flags.all && flags.namespace !== undefined)
    throw new UsageError("Give --namespace or --all, not both.");
  return flags.all ? null : (flags.namespace ?? getNamespace());
}

/** The flow's runs in `namespace`, newest first; none (not an error) when it has no runs there. */
export async function listRuns(
  context: FlowCommandContext,
  namespace: Namespace,
  tags: readonly string[] = [],
  datastore: DatastoreOption = context.globals().datastore,
): Promise<Run[]> {
  try {
    const flow = await Flow.get(context.flow.name, { datastore, namespace });
    return await flow.runs({ tags });
  } catch (error) {
    if (isFlowshipError(error) && /^FS_CLIENT_(NOT_FOUND|NAMESPACE_MISMATCH)$/.test(error.code)) return [];
    throw error;
  }
}

function formatDuration(ms: number): string {
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

function durationMs(run: Run): number | undefined {
  return run.endedAt ? run.endedAt.getTime() - run.startedAt.getTime() : undefined;
}

function toRow(run: Run): string[] {
  const ms = durationMs(run);
  return [
    run.id,
    run.status,
    `${run.startedAt.toISOString().slice(0, 19).replace("T", " ")}Z`,
    ms === undefined ? "-" : formatDuration(ms),
    [...run.userTags, ...(run.originRunId ? [`(resumed ${run.originRunId})`] : [])].join(", "),
  ];
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

function toJson(run: Run): object {
  const ms = durationMs(run);
  return {
    runId: run.id,
    pathspec: run.pathspec,
    status: run.status,
    startedAt: run.startedAt.toISOString(),
    endedAt: run.endedAt?.toISOString() ?? null,
    durationSeconds: ms === undefined ? null : ms / 1000,
    user: run.user,
    namespace: run.namespace,
    tags: run.userTags,
    systemTags: run.systemTags,
    originRunId: run.originRunId ?? null,
    failureReason: run.failureReason ?? null,
  };
}

/** The deployments' S3 datastore, from the AWS settings. */
function productionDatastore(): { root: string; datastore: DatastoreOption } {
  const root = effectiveSettings().s3Root;
  if (!root) {
    throw new UsageError(
      "runs --production reads the S3 root of the AWS settings, and none is set: run flowship configure aws --s3-root s3://bucket/prefix, or set FLOWSHIP_AWS_S3_ROOT.",
    );
  }
  return { root, datastore: datastoreLocation(root) };
}

export function registerRuns(program: Command, context: FlowCommandContext): void {
  addNamespaceOptions(
    program
      .command("runs")
      .description("list the flow's runs, newest first: id, status, start, duration and tags")
      .option("--json", "print the runs as a JSON array", false)
      .option("--tag <tag>", "only runs with this tag (repeatable: runs with all of them)", collect, [])
      .option(
        "--production",
        "list the production runs (sfn-…) of every deployment, from the S3 root of the AWS settings (flowship configure aws)",
        false,
      ),
  ).action(async (flags: NamespaceFlags & { json: boolean; tag: string[]; production: boolean }) => {
    if (flags.production && (flags.all || flags.namespace !== undefined)) {
      throw new UsageError("Give --production or a namespace (--namespace, --all), not both.");
    }
    const production = flags.production ? productionDatastore() : undefined;
    const namespace = production ? null : listNamespace(flags);
    const listed = await listRuns(context, namespace, flags.tag, production?.datastore);
    const runs = production ? listed.filter((run) => run.id.startsWith("sfn-")) : listed;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify(runs.map(toJson), null, 2)}\n`);
      return;
    }
    if (runs.length === 0) {
      const where = production
        ? `the production datastore ${production.root}`
        : namespace === null
          ? "any namespace"
          : `namespace ${namespace} (--all lists every namespace, --production the deployed ones)`;
      process.stderr.write(
        `No runs of ${context.flow.name}${flags.tag.length > 0 ? ` tagged ${flags.tag.join(", ")}` : ""} in ${where}.\n`,
      );
      return;
    }
    const header = ["RUN ID", "STATUS", "STARTED", "DURATION", "TAGS"];
    process.stdout.write(`${table([header, ...runs.map(toRow)])}\n`);
  });
}
