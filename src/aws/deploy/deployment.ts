/**
 * Finding an existing deployment and deciding who may change it. A deployment is a state
 * machine flowship created, recognised by its tags; changing it (deploy again, roll back, delete,
 * terminate or resume its runs) is allowed to the user who deployed it last, or to anyone who
 * gives its production token with `--authorize`.
 */
import type { BatchDeployClient } from "./batch-client.js";
import { type DeploymentMetadata, normalizeToken, readMetadata } from "./deployment-metadata.js";
import { DeployError } from "./errors.js";
import type { EventsDeployClient } from "./events-client.js";
import type { DeployTarget } from "./resource-names.js";
import type { SchedulerDeployClient } from "./scheduler-client.js";
import type { SfnDeployClient } from "./sfn-client.js";

/** The SDK wrappers a deployment uses; tests pass ones built on mocked clients. */
export interface DeployClients {
  sfn: SfnDeployClient;
  batch: BatchDeployClient;
  scheduler: SchedulerDeployClient;
  events: EventsDeployClient;
}

/** Creates the four wrappers for a region; the SDK is loaded only now. */
export async function createDeployClients(region: string): Promise<DeployClients> {
  const [{ SfnDeployClient }, { BatchDeployClient }, { SchedulerDeployClient }, { EventsDeployClient }] =
    await Promise.all([
      import("./sfn-client.js"),
      import("./batch-client.js"),
      import("./scheduler-client.js"),
      import("./events-client.js"),
    ]);
  return {
    sfn: new SfnDeployClient({ region }),
    batch: new BatchDeployClient({ region }),
    scheduler: new SchedulerDeployClient({ region }),
    events: new EventsDeployClient({ region }),
  };
}

export interface Deployment {
  metadata: DeploymentMetadata;
  /** The tags as they are, flowship's and the user's. */
  tags: Record<string, string>;
}

/** How a deployment is looked up. */
export interface FindDeploymentOptions {
  /**
   * Take a deployment of any flow: for a deployment opened by its state machine's name alone
   * (`DeployedFlow.fromDeployment`), which learns its flow from it. @default false
   */
  anyFlow?: boolean;
}

/**
 * The deployment at the target, or undefined when there is no state machine of that name. One
 * of another flow is refused: `--name` of a state machine that runs another flow would otherwise
 * replace that flow's deployment (create) or change its runs (resume, redrive, terminate, …).
 */
export async function findDeployment(
  sfn: SfnDeployClient,
  target: DeployTarget,
  options: FindDeploymentOptions = {},
): Promise<Deployment | undefined> {
  const machine = await sfn.describeStateMachine(target.stateMachineArn);
  if (!machine) return undefined;
  if (machine.status === "DELETING") {
    throw new DeployError(
      "FS_SFN_DELETING",
      `State machine is being deleted: '${target.name}'. Wait until the deletion finishes (it can take a few minutes) and try again.`,
    );
  }
  const tags = await sfn.listTags(target.stateMachineArn);
  const metadata = readMetadata(tags);
  if (!metadata) {
    throw new DeployError(
      "FS_SFN_NOT_FLOWSHIP",
      `A state machine not deployed by flowship has this name: '${target.name}'. Deploy under another name with --name, or delete that state machine.`,
    );
  }
  if (!options.anyFlow && metadata.flow !== target.flow) {
    throw new DeployError(
      "FS_SFN_OTHER_FLOW",
      `State machine '${target.name}' runs flow '${metadata.flow}', not '${target.flow}': choose another --name for '${target.flow}', or use the flow file of '${metadata.flow}' (whose step-functions delete${target.name === metadata.flow ? "" : ` --name ${target.name}`} frees the name).`,
    );
  }
  return { metadata, tags };
}

/** Like {@link findDeployment}, but a missing deployment is an error. */
export async function requireDeployment(
  sfn: SfnDeployClient,
  target: DeployTarget,
  options: FindDeploymentOptions = {},
): Promise<Deployment> {
  const deployment = await findDeployment(sfn, target, options);
  if (!deployment) throw notDeployed(target);
  return deployment;
}

export function notDeployed(target: DeployTarget): DeployError {
  return new DeployError(
    "FS_SFN_NOT_DEPLOYED",
    `Flow '${target.flow}' is not deployed to AWS Step Functions as '${target.name}' in ${target.region}. Deploy it with step-functions create${target.name === target.flow ? "" : ` --name ${target.name}`}.`,
  );
}

/**
 * Throws unless `user` deployed it last or `authorize` is its token.
 * @param action what the user is doing, e.g. "deploy a new version of"
 */
export function authorize(
  deployment: Deployment,
  facts: { user: string; authorize?: string | undefined; action: string; target: DeployTarget },
): void {
  const { metadata } = deployment;
  if (metadata.owner === facts.user) return;
  if (facts.authorize !== undefined && normalizeToken(facts.authorize, "--authorize") === metadata.token)
    return;
  throw new DeployError(
    "FS_SFN_UNAUTHORIZED",
    facts.authorize === undefined
      ? `Not authorized to ${facts.action} the production flow '${facts.target.name}': it was deployed by '${metadata.owner}', not '${facts.user}'. Pass its production token with --authorize TOKEN (ask ${metadata.owner}; it is the namespace production:TOKEN of its runs).`
      : `Not authorized to ${facts.action} the production flow '${facts.target.name}': '${facts.authorize}' is not its production token. Pass the token of the namespace production:TOKEN of its runs with --authorize TOKEN.`,
  );
}
