/**
 * Publishing a deploy: the definition becomes a new version of the state machine (created on the
 * first deploy), its metadata goes into the tags, and the `production` alias moves to the new
 * version with all of the traffic. Rollback moves the alias back.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html
 */
import type { AwsSettings } from "./aws-settings.js";
import type { DeployClients, Deployment } from "./deployment.js";
import { type DeploymentMetadata, metadataTags, staleTagKeys } from "./deployment-metadata.js";
import { type DeployTarget, PRODUCTION_ALIAS, versionNumber } from "./resource-names.js";

/** Publishes the definition as a new version of a new or existing state machine. */
export async function publishVersion(
  options: { clients: DeployClients; target: DeployTarget; settings: AwsSettings },
  existing: Deployment | undefined,
  definition: string,
  metadata: DeploymentMetadata,
  versionDescription: string,
): Promise<string> {
  const { sfn } = options.clients;
  const { target } = options;
  const tags = metadataTags(metadata);
  if (!existing) {
    const created = await sfn.createStateMachine({
      name: target.name,
      definition,
      roleArn: options.settings.sfnRole,
      type: "STANDARD",
      publish: true,
      versionDescription,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    });
    return created.versionArn;
  }
  const updated = await sfn.updateStateMachine({
    stateMachineArn: target.stateMachineArn,
    definition,
    roleArn: options.settings.sfnRole,
    publish: true,
    versionDescription,
  });
  await sfn.tagResource(target.stateMachineArn, tags);
  const stale = staleTagKeys(existing.tags, tags);
  if (stale.length > 0) await sfn.untagResource(target.stateMachineArn, stale);
  return updated.versionArn;
}

/** Points the production alias at `versionArn`, creating the alias on the first deploy. */
export async function routeProduction(
  clients: DeployClients,
  target: DeployTarget,
  versionArn: string,
  create: boolean,
): Promise<void> {
  const routingConfiguration = [{ stateMachineVersionArn: versionArn, weight: 100 }];
  const description = `flowship production version of ${target.flow}`;
  if (!create && (await clients.sfn.describeAlias(target.aliasArn))) {
    await clients.sfn.updateAlias({
      stateMachineAliasArn: target.aliasArn,
      routingConfiguration,
      description,
    });
    return;
  }
  await clients.sfn.createAlias({ name: PRODUCTION_ALIAS, routingConfiguration, description });
}

/** How many published versions a deploy keeps, newest first, besides the production one. */
export const DEFAULT_KEEP_VERSIONS = 20;

/**
 * Deletes published versions beyond the newest `keep` (AWS allows 1,000 per state machine, and
 * every deploy publishes one). The version the production alias routes to is always kept; runs
 * already started on a deleted version run to their end. Returns the deleted version numbers.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-state-machine-version.html
 */
export async function pruneVersions(
  clients: DeployClients,
  target: DeployTarget,
  keep: number,
  productionVersionArn: string,
): Promise<number[]> {
  const versions = (await clients.sfn.listVersions(target.stateMachineArn))
    .map((v) => v.stateMachineVersionArn!)
    .sort((a, b) => versionNumber(b) - versionNumber(a));
  const doomed = versions.slice(keep).filter((arn) => arn !== productionVersionArn);
  for (const arn of doomed) await clients.sfn.deleteVersion(arn);
  return doomed.map(versionNumber).sort((a, b) => a - b);
}
