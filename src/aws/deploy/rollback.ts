/**
 * `step-functions rollback [--version N]`: points the production alias back at an earlier
 * published version (by default the one before the current), so triggers, the schedule and
 * triggerOnFinish start it from now on. Each version names its own Batch job definition
 * revision, hence its own code package: a rollback restores the code as well as the graph.
 */
import { authorize, type DeployClients, requireDeployment } from "./deployment.js";
import { DESCRIPTION_LIMITS, fitDescription } from "./descriptions.js";
import { DeployError } from "./errors.js";
import { type DeployTarget, versionNumber } from "./resource-names.js";

export interface RollbackResult {
  from: number;
  to: number;
}

export async function rollbackDeployment(options: {
  clients: DeployClients;
  target: DeployTarget;
  user: string;
  authorize?: string;
  /** The version to make production. @default the newest one before the current */
  version?: number;
}): Promise<RollbackResult> {
  const { clients, target } = options;
  const deployment = await requireDeployment(clients.sfn, target);
  authorize(deployment, { ...options, action: "roll back" });
  const alias = await clients.sfn.describeAlias(target.aliasArn);
  const current = alias?.routingConfiguration?.find((r) => r.weight === 100)?.stateMachineVersionArn;
  const from = current ? versionNumber(current) : 0;
  const versions = new Map(
    (await clients.sfn.listVersions(target.stateMachineArn)).map((v) => [
      versionNumber(v.stateMachineVersionArn!),
      v.stateMachineVersionArn!,
    ]),
  );
  const to = options.version ?? Math.max(0, ...[...versions.keys()].filter((n) => n < from));
  const arn = versions.get(to);
  if (!arn) {
    const known = [...versions.keys()].sort((a, b) => a - b).join(", ") || "none";
    throw new DeployError(
      "FS_SFN_NO_SUCH_VERSION",
      options.version === undefined
        ? `No version before the production version ${from} of '${target.name}' to roll back to: 'versions ${known}'. Deploy a fixed version with step-functions create instead.`
        : `No version ${options.version} of state machine '${target.name}': 'versions ${known}'. Pick one of these with --version.`,
    );
  }
  if (to !== from) {
    await clients.sfn.updateAlias({
      stateMachineAliasArn: target.aliasArn,
      routingConfiguration: [{ stateMachineVersionArn: arn, weight: 100 }],
      description: fitDescription(
        `flowship production version of ${target.flow} (rolled back from ${from} by ${options.user})`,
        DESCRIPTION_LIMITS.stateMachineAlias,
      ),
    });
  }
  return { from, to };
}
