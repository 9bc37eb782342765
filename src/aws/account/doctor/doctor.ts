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
import { awsSettingsFromEnv } from "../../../config.js";
import {
  type AwsSettingName,
  effectiveSettings,
  type PartialAwsSettings,
  readSettingsStack,
  type SettingsStack,
} from "../../deploy/aws-settings.js";
import { deployerPolicy, type PolicyScope, ROLE_POLICIES, type RoleKind } from "../iam-policies.js";
import { type CallerIdentity, checkCredentials, checkRegion } from "./check-credentials.js";
import { checkImage } from "./check-image.js";
import { checkJobQueue } from "./check-job-queue.js";
import { checkPermissions, deployerPrincipal, type SimulatedPrincipal } from "./check-permissions.js";
import { type CheckResult, settingWords, skip } from "./check-result.js";
import { checkRole, ROLE_CHECKS, roleName } from "./check-roles.js";
import { checkS3Root, splitS3Root } from "./check-s3-root.js";
import { checkSettingValues } from "./check-setting-values.js";
import { createDoctorClients, type DoctorClients } from "./doctor-clients.js";

export interface DoctorOptions {
  /** @default the effective settings (FLOWSHIP_AWS_* over the settings file) */
  settings?: PartialAwsSettings;
  /** The deployer's user or role ARN to simulate. @default the caller's */
  deployer?: string;
  /**
   * The stack the settings came from (`configure aws --from-stack`), whose DeployerPolicy the
   * deployer's remedy names. @default the settings file's, when the settings are not given
   */
  stack?: SettingsStack;
  /** The settings the environment gave (FLOWSHIP_AWS_*), named in their lines. @default from the environment, when the settings are not given */
  fromEnv?: ReadonlySet<AwsSettingName>;
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

/** How the deployer gets the policy it lacks: the stack's DeployerPolicy, else docs/production.md's. */
function deployerGrant(arn: string, stack: SettingsStack | undefined): string {
  if (!stack?.deployerPolicy) {
    return `attach the deployer policy of docs/production.md ("IAM: who may do what") to ${arn}`;
  }
  const principal = /:(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(arn);
  const command = principal
    ? `: aws iam attach-${principal[1]}-policy --${principal[1]}-name ${principal[2]} --policy-arn ${stack.deployerPolicy}`
    : "";
  return `attach the DeployerPolicy of stack ${stack.name} (${stack.deployerPolicy}) to ${arn}${command}`;
}

interface AccountContext {
  clients: DoctorClients;
  settings: PartialAwsSettings;
  region: string;
  identity: CallerIdentity;
  deployer: string | undefined;
  stack: SettingsStack | undefined;
  report: (result: CheckResult) => void;
}

async function checkAccount(context: AccountContext): Promise<void> {
  const { clients, settings, region, identity, deployer, report } = context;
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
        about: settingWords(check.setting),
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
            grant: deployerGrant(principal.arn, context.stack),
            about: deployer ? `--deployer ${deployer}` : `the caller ${principal.arn}`,
            ...(deployer
              ? {
                  notFound: {
                    found: `the --deployer ARN does not exist: no IAM ${/:(user|role|group)\//.exec(deployer)?.[1] ?? "principal"} ${roleName(deployer)} in account ${identity.account}`,
                    remedy:
                      "give --deployer the ARN of an existing IAM user or role (aws iam list-users, aws iam list-roles)",
                  },
                }
              : {}),
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
  const stack = options.stack ?? (options.settings ? undefined : readSettingsStack());
  const env = awsSettingsFromEnv();
  const fromEnv =
    options.fromEnv ??
    new Set(
      options.settings
        ? []
        : (Object.keys(env) as AwsSettingName[]).filter((name) => env[name] !== undefined),
    );
  const results: CheckResult[] = [];
  const report = (result: CheckResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  const region = checkRegion(settings);
  if ("problem" in region) {
    report(region.problem);
    // The account is not looked at: every other setting create would refuse is named here.
    for (const line of checkSettingValues(settings, fromEnv, (name) => name !== "region")) report(line);
    report(skip("account", "the account", "not checked: needs a region"));
    return results;
  }
  const clients = (options.clients ?? createDoctorClients)(region.region);
  const { result, identity } = await checkCredentials(clients.sts, region.region);
  report(result);
  if (!identity) {
    for (const line of checkSettingValues(settings, fromEnv, (name) => name !== "region")) report(line);
    report(skip("account", "the account", "not checked: needs working credentials"));
    return results;
  }
  for (const line of checkSettingValues(settings, fromEnv)) report(line);
  await checkAccount({
    clients,
    settings,
    region: region.region,
    identity,
    deployer: options.deployer,
    stack,
    report,
  });
  return results;
}
