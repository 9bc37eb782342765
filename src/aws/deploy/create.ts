/**
 * `step-functions create`: deploys a new version of a flow. In order: check who may deploy,
 * choose the production token and check every limit; upload the code package to the S3
 * datastore; register the Batch job definition (a new revision carrying the package and the
 * token); create the state machine or update it, publishing a version; make the schedule and the
 * triggerOnFinish rule match the flow's decorators (they start the alias, so until it moves they
 * start the old version); point the `production` alias at the new version — the one write that
 * changes what production runs, made last, so a refused request before it leaves production as it
 * was; then delete versions beyond the ones kept.
 */
import type { FlowSpec } from "../../flow/types.js";
import type { FlowGraph } from "../../graph/flow-graph.js";
import { validateFlow } from "../../graph/validate.js";
import { FLOWSHIP_VERSION } from "../../version.js";
import type { AssignPublicIp } from "../compile/compile-options.js";
import { compileStepFunctions } from "../compile/compile-step-functions.js";
import { jobDefinitionName } from "../compile/naming.js";
import { shipCodePackage } from "../package/ship-code-package.js";
import { checkScheduleFires, flowSchedule } from "../schedule/schedule-plan.js";
import { applyTriggers } from "./apply-triggers.js";
import { type AwsSettingName, computeKind } from "./aws-settings.js";
import type { DeployFlowOptions, DeployPlan, DeployResult } from "./deploy-types.js";
import { authorize, type Deployment, findDeployment } from "./deployment.js";
import {
  type DeploymentMetadata,
  generateToken,
  metadataTags,
  normalizeToken,
  parameterSchema,
} from "./deployment-metadata.js";
import { writeDeploymentRecord } from "./deployment-record.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import { DeployError } from "./errors.js";
import { eventBusesOf, eventTriggers, unmappedRequired } from "./event-triggers.js";
import { DEFAULT_KEEP_VERSIONS, pruneVersions, publishVersion, routeProduction } from "./publish-version.js";
import { checkDeployQueue } from "./queue-capacity.js";
import { versionNumber } from "./resource-names.js";
import { alertSettings, deployedTaskEnvironment } from "./task-settings.js";
import { upstreamFlows } from "./trigger-on-finish.js";

export type { DeployCompileOptions, DeployFlowOptions, DeployPlan, DeployResult } from "./deploy-types.js";

/**
 * Validates the flow and its deploy-time decorators. A flow that starts by itself (schedule or
 * triggerOnFinish) starts with no parameters, so each required parameter needs a default.
 */
export function planDeploy(flow: FlowSpec): DeployPlan {
  const graph = validateFlow(flow);
  const schedule = flowSchedule(flow);
  if (schedule) checkScheduleFires(schedule, flow.name);
  const upstream = upstreamFlows(flow);
  const triggers = eventTriggers(flow);
  for (const trigger of triggers) {
    const missing = unmappedRequired(flow, trigger);
    if (missing.length > 0) {
      throw new DeployError(
        "FS_SFN_UNATTENDED_REQUIRED_PARAMETER",
        `Flow '${flow.name}' started by event ${trigger.event} has required parameter${missing.length > 1 ? "s" : ""} '${missing.join(", ")}' without a default that the event does not map: give ${missing.length > 1 ? "them defaults" : "it a default"} or map ${missing.length > 1 ? "them" : "it"} in trigger({ parameters }).`,
        { exitCode: 2 },
      );
    }
  }
  if (schedule || upstream.length > 0) {
    const missing = flow.parameters.filter((p) => p.required && !p.hasDefault).map((p) => p.name);
    if (missing.length > 0) {
      throw new DeployError(
        "FS_SFN_UNATTENDED_REQUIRED_PARAMETER",
        `${schedule ? "Scheduled" : "Triggered"} flow '${flow.name}' has required parameter${missing.length > 1 ? "s" : ""} without a default: '${missing.join(", ")}'. Give ${missing.length > 1 ? "them defaults" : "it a default"}: runs it starts by itself get no parameters.`,
      );
    }
  }
  // executionRole only counts when compute is fargate (loadAwsSettings knows).
  const settings: AwsSettingName[] = [
    "region",
    "sfnRole",
    "jobQueue",
    "s3Root",
    "batchJobRole",
    "executionRole",
  ];
  if (schedule) settings.push("schedulerRole");
  if (upstream.length > 0 || triggers.length > 0) settings.push("eventsRole");
  return { graph, ...(schedule ? { schedule } : {}), upstream, eventTriggers: triggers, settings };
}

function chooseToken(
  options: DeployFlowOptions,
  existing: Deployment | undefined,
): { token: string; isNew: boolean } {
  if (options.newToken !== undefined && options.generateNewToken) {
    throw new DeployError(
      "FS_SFN_TOKEN_FLAGS",
      "Conflicting options: '--new-token and --generate-new-token'. Give one of them.",
      { exitCode: 2 },
    );
  }
  if (options.newToken !== undefined)
    return { token: normalizeToken(options.newToken, "--new-token"), isNew: true };
  if (existing && !options.generateNewToken) return { token: existing.metadata.token, isNew: false };
  return { token: generateToken(options.target.name, existing?.metadata.token), isNew: true };
}

function compile(
  options: DeployFlowOptions,
  graph: FlowGraph,
  job: Record<string, string>,
  jobDefinition?: string,
) {
  const { settings, target } = options;
  return compileStepFunctions(graph, {
    // The caller's choices first: where jobs run and what they run are the deploy's own.
    ...options.compile,
    name: target.name,
    jobQueue: settings.jobQueue!,
    datastoreRoot: settings.s3Root!,
    partition: target.partition,
    ...(options.withDecorators ? { withDecorators: options.withDecorators } : {}),
    ...(jobDefinition ? { jobDefinition } : {}),
    compute: computeKind(settings),
    job: {
      ...job,
      name: jobDefinitionName(target.name),
      ...(settings.region ? { region: settings.region } : {}),
      ...(settings.image ? { image: settings.image } : {}),
      ...(settings.batchJobRole ? { jobRoleArn: settings.batchJobRole } : {}),
      // Fargate only; an EC2 job definition ignores them. No placeholder role for a deploy: a
      // Fargate job definition without its role is refused.
      ...(computeKind(settings) === "fargate" ? { executionRoleArn: settings.executionRole ?? "" } : {}),
      ...(settings.assignPublicIp ? { assignPublicIp: settings.assignPublicIp as AssignPublicIp } : {}),
      ...(settings.fargatePlatformVersion ? { fargatePlatformVersion: settings.fargatePlatformVersion } : {}),
    },
  });
}

/**
 * Uploads the code package, registers the job definition revision that runs it, and compiles the
 * state machine that names that revision.
 */
async function shipCode(options: DeployFlowOptions, plan: DeployPlan, token: string) {
  const { pkg, codePackage, code } = await shipCodePackage(options);
  const job = compile(options, plan.graph, code).jobDefinitions[0]!;
  const jobDefinitionArn = await options.clients.batch.registerJobDefinition({
    ...job,
    containerProperties: {
      ...job.containerProperties,
      environment: [
        ...job.containerProperties.environment,
        ...deployedTaskEnvironment({
          ...options,
          token,
          ...(options.target.project ? { projectBranch: options.target.project.branch } : {}),
          ...(options.notify?.onError
            ? { alert: alertSettings(options.target, options.compiled.source) }
            : {}),
        }),
      ],
    },
  });
  const deployment = compile(options, plan.graph, code, jobDefinitionArn);
  return { pkg, codePackage, jobDefinitionArn, deployment };
}

/**
 * Deploys a new version of the flow and makes it the production version.
 *
 * @example
 * const result = await deployFlow({ flow, compiled, target, settings, clients, storage, user: "alice" });
 * console.log(result.stateMachineArn, result.version, result.namespace);
 */
export async function deployFlow(options: DeployFlowOptions): Promise<DeployResult> {
  const plan = planDeploy(options.flow);
  // What the compiler refuses (resources Fargate cannot run, say) is refused before any AWS call;
  // a queue that could never start a step's job (checkDeployQueue), before anything is written.
  const planned = compile(options, plan.graph, {});
  const { target, clients } = options;
  const existing = await findDeployment(clients.sfn, target);
  if (existing) authorize(existing, { ...options, action: "deploy a new version of" });
  const { token, isNew } = chooseToken(options, existing);
  const metadata = deploymentMetadata(options, plan, token);
  const unchecked = await checkDeployQueue({
    batch: clients.batch,
    queue: options.settings.jobQueue!,
    flow: options.flow.name,
    definition: planned.definition,
  });
  const { pkg, codePackage, jobDefinitionArn, deployment } = await shipCode(options, plan, token);
  const description = fitDescription(
    `flowship ${FLOWSHIP_VERSION}, code ${pkg.sha256.slice(0, 12)}, by ${options.user}`,
    DESCRIPTION_LIMITS.stateMachineVersion,
  );
  const versionArn = await publishVersion(
    options,
    existing,
    JSON.stringify(deployment.definition),
    metadata,
    description,
  );
  const triggers = await applyTriggers(options, plan, existing);
  await routeProduction(clients, target, versionArn, !existing);
  const result: DeployResult = {
    name: target.name,
    ...(target.project ? { project: target.project } : {}),
    stateMachineArn: target.stateMachineArn,
    aliasArn: target.aliasArn,
    version: versionNumber(versionArn),
    token,
    newToken: isNew,
    namespace: `production:${token}`,
    firstDeploy: !existing,
    prunedVersions: [],
    warnings: unchecked ? [unchecked] : [],
    codePackage,
    jobDefinitionArn,
    deployment,
  };
  Object.assign(result, triggers);
  await afterProductionMoved({ options, plan, result, codeSha256: pkg.sha256, versionArn });
  return result;
}

/**
 * What the deployment records in the state machine's tags. Tags AWS would refuse are refused
 * here, before anything is uploaded or registered.
 */
function deploymentMetadata(options: DeployFlowOptions, plan: DeployPlan, token: string): DeploymentMetadata {
  const metadata: DeploymentMetadata = {
    flow: options.flow.name,
    owner: options.user,
    token,
    flowshipVersion: FLOWSHIP_VERSION,
    parameters: parameterSchema(options.flow),
    ...(options.namespace ? { namespace: options.namespace } : {}),
    runTags: [...(options.tags ?? [])],
    ...eventBusesOf(plan.eventTriggers),
  };
  metadataTags(metadata);
  return metadata;
}

/**
 * Once production runs the new version: the deployment's note in the datastore, then old
 * versions deleted. Neither fails the deploy; what goes wrong becomes a warning of the result.
 */
async function afterProductionMoved(done: {
  options: DeployFlowOptions;
  plan: DeployPlan;
  result: DeployResult;
  codeSha256: string;
  versionArn: string;
}): Promise<void> {
  const { options, plan, result, versionArn } = done;
  const { target, clients } = options;
  try {
    await writeDeploymentRecord(options.storage, options.flow.name, {
      name: target.name,
      stateMachineArn: target.stateMachineArn,
      version: result.version,
      namespace: result.namespace,
      deployedAt: (options.now ?? new Date()).toISOString(),
      deployedBy: options.user,
      codeSha256: done.codeSha256,
      ...(plan.schedule
        ? { schedule: { expression: plan.schedule.expression, timezone: plan.schedule.timezone } }
        : {}),
    });
  } catch (error) {
    result.warnings.push(
      `the deployment's note in the datastore was not written: ${(error as Error).message}`,
    );
  }
  // Last.
  try {
    result.prunedVersions = await pruneVersions(
      clients,
      target,
      options.keepVersions ?? DEFAULT_KEEP_VERSIONS,
      versionArn,
    );
  } catch (error) {
    result.warnings.push(`old versions were not deleted: ${(error as Error).message}`);
  }
}
