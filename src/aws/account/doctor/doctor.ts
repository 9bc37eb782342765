/**
 * `flowship aws doctor`: checks the configured AWS account before anything is deployed, one
 * result per check, each reported as soon as it is known. Reads only: nothing is created or
 * changed. The settings are those of the step-functions commands (FLOWSHIP_AWS_* over the file
 * `flowship configure aws` writes); what the deployer and the roles should be allowed is what
 * the IAM policy generator (../iam-policies.ts) gives them.
 *
 * @example
 * const results = await runDoctor({ onResult: (r) => console.log(r.status, r.subject, r.found) });
 * process.exitCode = results.some((r) => r.status === "fail") ? 1 : 0;
 */
import { effectiveSettings, type PartialAwsSettings } from "../../deploy/aws-settings.js";
import { deployerPolicy, type PolicyScope, ROLE_POLICIES, type RoleKind } from "../iam-policies.js";
import { type CallerIdentity, checkCredentials, checkRegion } from "./check-credentials.js";
import { checkImage } from "./check-image.js";
import { checkJobQueue } from "./check-job-queue.js";
import { checkPermissions, deployerPrincipal, type SimulatedPrincipal } from "./check-permissions.js";
import { type CheckResult, skip } from "./check-result.js";
import { checkRole, ROLE_CHECKS, roleName } from "./check-roles.js";
import { checkS3Root, splitS3Root } from "./check-s3-root.js";
import { createDoctorClients, type DoctorClients } from "./doctor-clients.js";

export interface DoctorOptions {
  /** @default the effective settings (FLOWSHIP_AWS_* over the settings file) */
  settings?: PartialAwsSettings;
  /** The deployer's user or role ARN to simulate. @default the caller's */
  deployer?: string;
  /** @default SDK clients for the settings' region */
  clients?: (region: string) => DoctorClients;
  /** Called with each result as its check ends, in order. */
  onResult?: (result: CheckResult) => void;
}

/** Where the generated policies apply, from the settings and the caller's account. */
function policyScope(settings: PartialAwsSettings, region: string, account: string): PolicyScope | undefined {
  if (!settings.s3Root) return undefined;
  const { bucket, prefix } = splitS3Root(settings.s3Root);
  const roles: Partial<Record<RoleKind, string>> = {};
  for (const check of ROLE_CHECKS) {
    const arn = settings[check.setting];
    if (arn) roles[check.kind] = arn;
  }
  return { region, account, bucket, prefix, roles };
}

/** The deployer's generated policy, passing only the roles the settings name. */
function deployerDocument(scope: PolicyScope) {
  const policy = deployerPolicy(scope);
  const configured = new Set(Object.values(scope.roles ?? {}));
  for (const statement of policy.Statement) {
    if (statement.Action === "iam:PassRole") {
      statement.Resource = [statement.Resource ?? []].flat().filter((arn) => configured.has(arn));
    }
  }
  policy.Statement = policy.Statement.filter((s) => [s.Resource ?? "*"].flat().length > 0);
  return policy;
}

async function checkAccount(
  clients: DoctorClients,
  settings: PartialAwsSettings,
  region: string,
  identity: CallerIdentity,
  deployer: string | undefined,
  report: (result: CheckResult) => void,
): Promise<void> {
  report(await checkS3Root(clients, settings, region));
  for (const result of await checkJobQueue(clients, settings)) report(result);
  const principals: SimulatedPrincipal[] = [];
  const scope = policyScope(settings, region, identity.account);
  for (const check of ROLE_CHECKS) {
    const { result, arn } = await checkRole(clients, settings, check, identity.account);
    if (result) report(result);
    if (arn && scope) {
      principals.push({
        id: `permissions:${check.setting}`,
        subject: `${check.title} permissions`,
        arn,
        policy: ROLE_POLICIES[check.kind](scope),
        grant: `add the ${check.title}'s policy of docs/production.md ("IAM: who may do what") to role ${roleName(arn)}`,
      });
    }
  }
  const deployerSubject = "deployer permissions";
  if (!scope) {
    report(skip("permissions:deployer", deployerSubject, "not checked: needs the S3 root (see above)"));
  } else {
    const principal = await deployerPrincipal(clients.iam, identity, deployer);
    if ("problem" in principal) report(principal.problem);
    else {
      report(
        await checkPermissions(
          clients.iam,
          {
            id: "permissions:deployer",
            subject: `${deployerSubject} of ${principal.arn}`,
            arn: principal.arn,
            policy: deployerDocument(scope),
            grant: `attach the deployer policy of docs/production.md ("IAM: who may do what") to ${principal.arn}`,
          },
          identity.account,
        ),
      );
    }
  }
  for (const principal of principals)
    report(await checkPermissions(clients.iam, principal, identity.account));
  report(await checkImage(clients, settings));
}

/** Runs every check in order; returns their results. */
export async function runDoctor(options: DoctorOptions = {}): Promise<CheckResult[]> {
  const settings = options.settings ?? effectiveSettings();
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  const region = checkRegion(settings);
  if ("problem" in region) {
    report(region.problem);
    report(skip("account", "the account", "not checked: needs a region"));
    return results;
  }
  const clients = (options.clients ?? createDoctorClients)(region.region);
  const { result, identity } = await checkCredentials(clients.sts, region.region);
  report(result);
  if (!identity) {
    report(skip("account", "the account", "not checked: needs working credentials"));
    return results;
  }
  await checkAccount(clients, settings, region.region, identity, options.deployer, report);
  return results;
}
