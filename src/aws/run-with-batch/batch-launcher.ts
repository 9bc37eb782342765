/**
 * The launcher of `run --with batch` (see run/batch-launch.ts): before the run starts it
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
import type { BatchLauncher, BatchLauncherSetup } from "../../run/batch-launcher-types.js";
import { includedFiles } from "../../run/resolve-parameters.js";
import type { AssignPublicIp, ComputeKind } from "../compile/compile-options.js";
import {
  AWS_SETTINGS,
  checkSettings,
  computeKind,
  effectiveSettings,
  type PartialAwsSettings,
} from "../deploy/aws-settings.js";
import { BatchDeployClient, type QueueEnvironment } from "../deploy/batch-client.js";
import { buildCodePackage, defaultSourceRoot } from "../package/code-package.js";
import { uploadCodePackage } from "../package/code-package-store.js";
import { BatchJobAttempt, type BatchRunContext } from "./batch-job-attempt.js";
import { checkFargateSteps } from "./fargate-steps.js";
import { ensureJobDefinition, type JobDefinitionSettings, localRunJobDefinition } from "./job-definitions.js";
import { JobWatcher } from "./job-watcher.js";
import { checkQueueCapacity } from "./queue-capacity.js";
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
 * const launcher = await createBatchLauncher({ flow, compiled, datastore, steps, print });
 */
export async function createBatchLauncher(setup: BatchLauncherSetup): Promise<BatchLauncher> {
  const settings = effectiveSettings();
  checkSettings(settings);
  const flow = setup.flow.name;
  const region = settings.region ?? sdkRegion();
  const decorators = setup.steps.map((s) => s.batch);
  checkNeededSettings({ flow, settings, region, decorators });
  checkDecoratorOptions(flow, decorators);
  const client = new BatchDeployClient({ region: region! });
  const queueOf = (batch: BatchOptions) => batch.queue ?? settings.jobQueue!;
  const queues = [...new Set(decorators.map(queueOf))];
  const { computeOf, environmentsOf } = await queueComputes({ client, queues, settings, print: setup.print });
  checkFargateSteps({
    flow,
    steps: setup.steps,
    queueOf,
    computeOf,
    executionRole: settings.executionRole,
  });
  checkQueueCapacity({ flow, steps: setup.steps, queueOf, environmentsOf });
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
  const jobDefinition = jobDefinitionsOfRun({
    client,
    settings,
    print: setup.print,
    queueOf,
    computeOf,
    base: {
      flow,
      codePackageUrl: codePackage.url,
      codePackageSha256: pkg.sha256,
      datastoreRoot: setup.datastore.root,
      region: region!,
    },
  });
  // Every definition the run needs, before its first task: a refused one stops the run at once.
  await Promise.all(decorators.map(jobDefinition));
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

/**
 * What a job needs from the settings: where to run (region, a queue) and a role whose
 * credentials read and write the S3 datastore (a Fargate job has no other). The image has a
 * default; a Fargate queue's execution role is checked once the queue's kind is known.
 */
function checkNeededSettings(options: {
  flow: string;
  settings: PartialAwsSettings;
  region: string | undefined;
  decorators: readonly BatchOptions[];
}): void {
  const { flow, settings, region, decorators } = options;
  const needs: Array<{ name: "region" | "jobQueue" | "batchJobRole"; missing: boolean; or?: string }> = [
    { name: "region", missing: !region, or: "AWS_REGION" },
    {
      name: "jobQueue",
      missing: !settings.jobQueue && !decorators.every((d) => d.queue),
      or: "queue=… in --with batch or batch()",
    },
    {
      name: "batchJobRole",
      missing: !settings.batchJobRole && !decorators.every((d) => d.iamRole),
      or: "iam_role=… in --with batch, iamRole in batch()",
    },
  ];
  const missing = needs.filter((n) => n.missing);
  if (missing.length > 0) {
    const how = missing.map(
      ({ name, or }) => `${AWS_SETTINGS[name].flag} / ${AWS_SETTINGS[name].env}${or ? ` (or ${or})` : ""}`,
    );
    throw new UsageError(
      `Missing AWS setting${missing.length > 1 ? "s" : ""} for the Batch steps of flow '${flow}': '${missing.map((n) => n.name).join(", ")}'. Give ${missing.length > 1 ? "them" : "it"} with 'flowship configure aws' or in the environment (configure aws flag / variable): ${how.join(", ")}.`,
      "FS_RUN_BATCH_SETTINGS",
    );
  }
}

/**
 * A decorator's own image and roles pass the checks of the settings they stand in for, before
 * anything is uploaded or registered: AWS would refuse them only at RegisterJobDefinition.
 */
function checkDecoratorOptions(flow: string, decorators: readonly BatchOptions[]): void {
  for (const d of decorators) {
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
}

/** The compute kind and environments of each queue the run uses, asked of Batch once per queue. */
async function queueComputes(options: {
  client: BatchDeployClient;
  queues: readonly string[];
  settings: PartialAwsSettings;
  print: BatchLauncherSetup["print"];
}): Promise<{
  computeOf: (queue: string) => ComputeKind;
  environmentsOf: (queue: string) => readonly QueueEnvironment[] | undefined;
}> {
  const { client, queues, settings, print } = options;
  const facts = await Promise.all(
    queues.map((queue) => queueCompute(client, queue, computeKind(settings), print)),
  );
  const byQueue = new Map(queues.map((queue, i) => [queue, facts[i]!]));
  return {
    computeOf: (queue: string) => byQueue.get(queue)?.kind ?? computeKind(settings),
    environmentsOf: (queue: string) => byQueue.get(queue)?.environments,
  };
}

/**
 * The job definition ARN of a step's `batch` decorator, registered (or reused) once per image,
 * roles and compute kind: steps that ask for the same share one registration.
 */
function jobDefinitionsOfRun(options: {
  client: BatchDeployClient;
  settings: PartialAwsSettings;
  print: BatchLauncherSetup["print"];
  queueOf: (batch: BatchOptions) => string;
  computeOf: (queue: string) => ComputeKind;
  base: Omit<JobDefinitionSettings, "compute">;
}): (batch: BatchOptions) => Promise<string> {
  const { client, settings, print, queueOf, computeOf, base } = options;
  const definitions = new Map<string, Promise<string>>();
  return (batch: BatchOptions): Promise<string> => {
    const compute = computeOf(queueOf(batch));
    const key = definitionKey(batch, compute);
    let arn = definitions.get(key);
    if (!arn) {
      const input = localRunJobDefinition({
        ...base,
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
        print(
          `Batch job definition ${result.arn} ${result.registered ? "registered" : "reused (same content)"}`,
          "stderr",
        );
        return result.arn;
      });
      definitions.set(key, arn);
    }
    return arn;
  };
}
