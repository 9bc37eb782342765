/**
 * Each configured IAM role exists and its trust policy lets the right service assume it: Step
 * Functions (states), Batch jobs and the Fargate execution role (ecs-tasks), EventBridge
 * Scheduler (scheduler) and EventBridge rules (events).
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetRole.html
 */
import { GetRoleCommand, type Role } from "@aws-sdk/client-iam";
import { type AwsSettingName, computeKind, type PartialAwsSettings } from "../../deploy/aws-settings.js";
import { awsErrorName } from "../../deploy/errors.js";
import { ROLE_SERVICES, type RoleKind, trustPolicy } from "../iam-policies.js";
import { lookupFailed } from "./aws-problem.js";
import {
  type CheckResult,
  fail,
  ok,
  requireSetting,
  settingRemedy,
  settingWords,
  warn,
} from "./check-result.js";
import type { DoctorClients } from "./doctor-clients.js";

export interface RoleCheck {
  setting: AwsSettingName;
  kind: RoleKind;
  title: string;
  /** Whether the settings need this role; an unneeded one is checked only when it is set. */
  needed: (settings: PartialAwsSettings) => boolean;
  /** What cannot be deployed without it, for an optional role that is not set. */
  without?: string;
}

/** The roles the settings name, in the order the doctor reports them. */
export const ROLE_CHECKS: readonly RoleCheck[] = [
  { setting: "sfnRole", kind: "stepFunctions", title: "Step Functions role", needed: () => true },
  { setting: "batchJobRole", kind: "batchJob", title: "Batch job role", needed: () => true },
  {
    setting: "executionRole",
    kind: "execution",
    title: "Fargate execution role",
    needed: (s) => computeKind(s) === "fargate",
  },
  {
    setting: "schedulerRole",
    kind: "scheduler",
    title: "Scheduler role",
    needed: () => false,
    without: "flows with a schedule cannot be deployed",
  },
  {
    setting: "eventsRole",
    kind: "events",
    title: "events role",
    needed: () => false,
    without: "flows with triggerOnFinish or webhook alerts cannot be deployed",
  },
];

/** The role's name: the ARN's last path segment (`role/path/name`). */
export function roleName(arn: string): string {
  return arn.split("/").pop() ?? arn;
}

/** The services a trust policy lets assume the role with sts:AssumeRole. */
export function trustedServices(document: string | undefined): string[] {
  if (!document) return [];
  let parsed: { Statement?: unknown };
  try {
    // IAM returns the document URL-encoded (RFC 3986).
    parsed = JSON.parse(document.trimStart().startsWith("{") ? document : decodeURIComponent(document));
  } catch {
    return [];
  }
  const statements = [parsed.Statement ?? []].flat() as {
    Effect?: string;
    Action?: string | string[];
    Principal?: { Service?: string | string[] } | string;
  }[];
  return statements.flatMap((statement) => {
    const actions = [statement.Action ?? []].flat();
    const assumes = actions.some((a) => ["sts:AssumeRole", "sts:*", "*"].includes(a));
    if (statement.Effect !== "Allow" || !assumes || typeof statement.Principal !== "object") return [];
    return [statement.Principal.Service ?? []].flat();
  });
}

/** One role's line, and its ARN when it exists (for the permission check). */
export async function checkRole(
  clients: DoctorClients,
  settings: PartialAwsSettings,
  check: RoleCheck,
  account: string,
): Promise<{ result?: CheckResult; arn?: string }> {
  const id = `role:${check.setting}`;
  if (!settings[check.setting] && !check.needed(settings)) {
    return check.without
      ? { result: warn(id, check.title, `not configured: ${check.without}`, settingRemedy(check.setting)) }
      : {};
  }
  const setting = requireSetting(settings, check.setting, id, check.title);
  if ("problem" in setting) return { result: setting.problem };
  const name = roleName(setting.value);
  const subject = `${check.title} ${name}`;
  let role: Role | undefined;
  try {
    role = (await clients.iam.send(new GetRoleCommand({ RoleName: name }))).Role;
  } catch (error) {
    if (awsErrorName(error) === "NoSuchEntityException") {
      return {
        result: fail(
          id,
          subject,
          `role '${name}' does not exist`,
          `create it with its trust and permission policies from docs/production.md ("IAM: who may do what"), or let 'flowship aws stack deploy' make it; or ${settingRemedy(check.setting)}`,
        ),
      };
    }
    return { result: lookupFailed(id, subject, "iam:GetRole", error, settingWords(check.setting)) };
  }
  const service = ROLE_SERVICES[check.kind];
  const trusted = trustedServices(role?.AssumeRolePolicyDocument);
  if (!trusted.includes(service)) {
    const policy = JSON.stringify(trustPolicy(check.kind, account));
    return {
      result: fail(
        id,
        subject,
        `${service} may not assume it: it trusts ${trusted.length > 0 ? trusted.join(", ") : "no service"}`,
        `aws iam update-assume-role-policy --role-name ${name} --policy-document '${policy}'`,
      ),
      arn: role?.Arn ?? setting.value,
    };
  }
  return { result: ok(id, subject, `exists, trusted by ${service}`), arn: role?.Arn ?? setting.value };
}
