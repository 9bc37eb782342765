/**
 * The launcher of `run --with batch` (see runtime/batch-launch.ts): before the run starts it
 * uploads the code package to the run's S3 datastore and registers (or reuses) production's job
 * definition for each image and role the run's `batch` decorators ask for; then every Batch step
 * attempt is a BatchJobAttempt. Loaded only when a run has Batch steps: the AWS SDK stays off the
 * local path.
 */
import { batchPollIntervalSeconds, batchRunnableTimeoutSeconds, sdkRegion } from "../../config.js";
import { FlowStore } from "../../datastore/flow-store.js";
import { openStorage } from "../../datastore/open-storage.js";
import { UsageError } from "../../errors.js";
import type { BatchOptions } from "../../flow/decorators.js";
import type { BatchLauncher, BatchLauncherSetup } from "../../runtime/batch-launch.js";
import { includedFiles } from "../../runtime/resolve-parameters.js";
import type { AssignPublicIp, ComputeKind } from "../compile/compile-options.js";
import { fargateResources } from "../compile/fargate-resources.js";
import { AWS_SETTINGS, checkSettings, computeKind, effectiveSettings } from "../deploy/aws-settings.js";
import { BatchDeployClient } from "../deploy/batch-client.js";
import { buildCodePackage, defaultSourceRoot } from "../package/code-package.js";
import { uploadCodePackage } from "../package/code-package-store.js";
import { BatchJobAttempt, type BatchRunContext } from "./batch-job-attempt.js";
import { ensureJobDefinition, localRunJobDefinition } from "./job-definitions.js";
import { JobWatcher } from "./job-watcher.js";
import { queueCompute } from "./queue-compute.js";

/** What makes two `batch` decorators need different job definitions. */
function definitionKey(batch: BatchOptions, compute: ComputeKind): string {
  return JSON.stringify([batch.image ?? "", batch.iamRole ?? "", batch.executionRole ?? "", compute]);
}

/**
 * Prepares the run's Batch side. Settings come from `flowship configure aws` and FLOWSHIP_AWS_*
 * (region, jobQueue, batchJobRole, image, compute, executionRole); a decorator's own queue, image
 * and roles win.
 *
 * @example
 * const launcher = await createBatchLauncher({ flow, compiled, datastore, decorators, print });
 */
export async function createBatchLauncher(setup: BatchLauncherSetup): Promise<BatchLauncher> {
  const settings = effectiveSettings();
  checkSettings(settings);
  const flow = setup.flow.name;
  const region = settings.region ?? sdkRegion();
  const missing = [
    ...(region ? [] : ["region (FLOWSHIP_AWS_REGION)"]),
    ...(settings.jobQueue || setup.decorators.every((d) => d.queue)
      ? []
      : ["jobQueue (FLOWSHIP_AWS_JOB_QUEUE, or batch({ queue }))"]),
  ];
  if (missing.length > 0) {
    throw new UsageError(
      `Missing AWS setting${missing.length > 1 ? "s" : ""} for the Batch steps of flow '${flow}': ${missing.join(", ")}. Run 'flowship configure aws' or set the variables.`,
      "FS_RUN_BATCH_SETTINGS",
    );
  }
  // A decorator's own image and roles pass the checks of the settings they stand in for, before
  // anything is uploaded or registered: AWS would refuse them only at RegisterJobDefinition.
  for (const d of setup.decorators) {
    for (const [option, setting] of [
      ["image", "image"],
      ["iamRole", "batchJobRole"],
      ["executionRole", "executionRole"],
    ] as const) {
      const value = d[option];
      if (value !== undefined && !AWS_SETTINGS[setting].valid(value)) {
        throw new UsageError(
          `Invalid batch option ${option} '${value}' in flow '${flow}': give the ${AWS_SETTINGS[setting].label}, e.g. ${AWS_SETTINGS[setting].example}.`,
          "FS_RUN_BATCH_SETTINGS",
        );
      }
    }
  }
  const client = new BatchDeployClient({ region: region! });
  const queueOf = (batch: BatchOptions) => batch.queue ?? settings.jobQueue!;
  const queues = [...new Set(setup.decorators.map(queueOf))];
  const kinds = await Promise.all(
    queues.map((queue) => queueCompute(client, queue, computeKind(settings), setup.print)),
  );
  const computes = new Map(queues.map((queue, i) => [queue, kinds[i]!]));
  const computeOf = (queue: string) => computes.get(queue) ?? computeKind(settings);
  for (const d of setup.decorators) {
    if (computeOf(queueOf(d)) !== "fargate") continue;
    // A Fargate size that does not exist is refused before any job is submitted.
    if (d.cpu !== undefined || d.memory !== undefined || d.gpu !== undefined) {
      fargateResources(
        { cpu: d.cpu ?? 1, memory: d.memory ?? 4096, gpu: d.gpu ?? 0 },
        { flow, step: "batch" },
      );
    }
    if (!(d.executionRole ?? settings.executionRole)) {
      throw new UsageError(
        `Batch job queue '${queueOf(d)}' runs on Fargate, whose jobs need an execution role: set executionRole ('flowship configure aws', FLOWSHIP_AWS_EXECUTION_ROLE) or batch({ executionRole }).`,
        "FS_RUN_BATCH_SETTINGS",
      );
    }
  }
  const storage = await openStorage(setup.datastore);
  const store = new FlowStore({ storage, flow });
  const pkg = await buildCodePackage({
    flow,
    flowFile: setup.compiled.source,
    bundlePath: setup.compiled.bundle,
    sourceRoot: defaultSourceRoot(setup.compiled.source),
    inputs: setup.compiled.inputs,
    required: includedFiles(setup.flow, setup.compiled.source),
  });
  const codePackage = await uploadCodePackage(storage, pkg);
  const definitions = new Map<string, Promise<string>>();
  const jobDefinition = (batch: BatchOptions): Promise<string> => {
    const compute = computeOf(queueOf(batch));
    const key = definitionKey(batch, compute);
    let arn = definitions.get(key);
    if (!arn) {
      const input = localRunJobDefinition({
        flow,
        codePackageUrl: codePackage.url,
        codePackageSha256: pkg.sha256,
        datastoreRoot: setup.datastore.root,
        region: region!,
        compute,
        ...((batch.image ?? settings.image) ? { image: batch.image ?? settings.image } : {}),
        ...((batch.iamRole ?? settings.batchJobRole)
          ? { jobRoleArn: batch.iamRole ?? settings.batchJobRole }
          : {}),
        ...(compute === "fargate"
          ? { executionRoleArn: batch.executionRole ?? settings.executionRole ?? "" }
          : {}),
        ...(settings.assignPublicIp ? { assignPublicIp: settings.assignPublicIp as AssignPublicIp } : {}),
        ...(settings.fargatePlatformVersion
          ? { fargatePlatformVersion: settings.fargatePlatformVersion }
          : {}),
      });
      arn = ensureJobDefinition(client, input).then((result) => {
        setup.print(
          `Batch job definition ${result.arn} ${result.registered ? "registered" : "reused (same content)"}`,
          "stderr",
        );
        return result.arn;
      });
      definitions.set(key, arn);
    }
    return arn;
  };
  // Every definition the run needs, before its first task: a refused one stops the run at once.
  await Promise.all(setup.decorators.map(jobDefinition));
  const context: BatchRunContext = {
    client,
    watcher: new JobWatcher({ client, intervalSeconds: batchPollIntervalSeconds() }),
    store,
    computeOf,
    defaultQueue: settings.jobQueue,
    jobDefinition,
    runnableTimeoutSeconds: batchRunnableTimeoutSeconds(),
    liveLogSeconds: batchPollIntervalSeconds(),
  };
  return {
    description: `on AWS Batch (${queues.map((queue) => `queue '${queue}' on ${computeOf(queue)}`).join(", ")}, code package ${pkg.sha256.slice(0, 12)}${codePackage.uploaded ? " uploaded" : ""})`,
    start: (attempt, batch) => new BatchJobAttempt(attempt, batch, context),
  };
}
