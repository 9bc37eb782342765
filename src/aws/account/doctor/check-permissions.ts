/**
 * IAM policy simulation: may the deployer, and each role, do every action flowship's policy
 * generator (iam-policies.ts) gives it, on the resources it names? iam:SimulatePrincipalPolicy
 * evaluates the principal's identity policies without performing anything. Each generated
 * statement is simulated on its own resources, a wildcard in them standing for a sample name
 * (`stateMachine:*` → `stateMachine:flowship-doctor`), with the context its condition expects.
 * @see https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 */
import {
  type ContextEntry,
  type EvaluationResult,
  GetRoleCommand,
  type IAMClient,
  SimulatePrincipalPolicyCommand,
} from "@aws-sdk/client-iam";
import { awsErrorName } from "../../deploy/errors.js";
import type { PolicyDocument, PolicyStatement } from "../iam-policies.js";
import { lookupFailed } from "./aws-problem.js";
import type { CallerIdentity } from "./check-credentials.js";
import { type CheckResult, fail, ok, warn } from "./check-result.js";

/** What a wildcard in a generated resource stands for in the simulation. */
const SAMPLE_NAME = "flowship-doctor";

export interface SimulatedPrincipal {
  /** The check's id, e.g. `permissions:deployer`. */
  id: string;
  subject: string;
  /** A user, group or role ARN. */
  arn: string;
  /** What it should be allowed: the generator's policy for it. */
  policy: PolicyDocument;
  /** The remedy's words for granting the missing actions. */
  grant: string;
  /** Where the ARN comes from, for the remedy of a failed simulation: a setting, --deployer, the caller. */
  about: string;
  /** What the line says when the principal does not exist. @default that the ARN does not exist */
  notFound?: { found: string; remedy: string };
}

/** Denied actions listed by name in one line; the rest are counted. */
export const MAX_LISTED_DENIALS = 8;

/** A resource of a generated statement as a concrete ARN to simulate on; `*` stays `*`. */
export function sampleResource(pattern: string, account: string): string {
  if (pattern === "*") return pattern;
  return pattern.replace(/:iam::\*:/, `:iam::${account}:`).replaceAll("*", SAMPLE_NAME);
}

/** The context a statement's StringEquals condition expects, as the request would carry it. */
function contextOf(statement: PolicyStatement): ContextEntry[] {
  return Object.entries(statement.Condition?.StringEquals ?? {}).map(([key, value]) => ({
    ContextKeyName: key,
    ContextKeyValues: [value],
    ContextKeyType: "string",
  }));
}

interface Denial {
  action: string;
  /** The generated resource pattern (or `*`). */
  resource: string;
  explicit: boolean;
}

async function simulateStatement(
  iam: IAMClient,
  arn: string,
  statement: PolicyStatement,
  account: string,
): Promise<Denial[]> {
  const patterns = [statement.Resource ?? "*"].flat();
  const samples = new Map(patterns.map((p) => [sampleResource(p, account), p]));
  const onAll = patterns.length === 1 && patterns[0] === "*";
  const results: EvaluationResult[] = [];
  let marker: string | undefined;
  do {
    const answer = await iam.send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: arn,
        ActionNames: [statement.Action].flat(),
        ...(onAll ? {} : { ResourceArns: [...samples.keys()] }),
        ...(statement.Condition ? { ContextEntries: contextOf(statement) } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
    );
    results.push(...(answer.EvaluationResults ?? []));
    marker = answer.IsTruncated ? answer.Marker : undefined;
  } while (marker);
  return results.flatMap((result) => {
    const action = result.EvalActionName!;
    const perResource = result.ResourceSpecificResults ?? [];
    if (perResource.length === 0) {
      return result.EvalDecision === "allowed"
        ? []
        : [{ action, resource: patterns.join(", "), explicit: result.EvalDecision === "explicitDeny" }];
    }
    return perResource
      .filter((r) => r.EvalResourceDecision !== "allowed")
      .map((r) => ({
        action,
        resource: samples.get(r.EvalResourceName!) ?? r.EvalResourceName!,
        explicit: r.EvalResourceDecision === "explicitDeny",
      }));
  });
}

/** The principal's line: allowed everything, or the denied actions by name. */
export async function checkPermissions(
  iam: IAMClient,
  principal: SimulatedPrincipal,
  account: string,
): Promise<CheckResult> {
  const statements = principal.policy.Statement.filter((s) => !s.Principal);
  const denied: Denial[] = [];
  try {
    for (const statement of statements)
      denied.push(...(await simulateStatement(iam, principal.arn, statement, account)));
  } catch (error) {
    if (/^NoSuchEntity/.test(awsErrorName(error) ?? "")) {
      return fail(
        principal.id,
        principal.subject,
        principal.notFound?.found ?? `${principal.arn} does not exist`,
        principal.notFound?.remedy ?? `check ${principal.about}`,
      );
    }
    return lookupFailed(
      principal.id,
      principal.subject,
      "iam:SimulatePrincipalPolicy",
      error,
      principal.about,
    );
  }
  const actions = new Set(statements.flatMap((s) => [s.Action].flat()));
  if (denied.length === 0) {
    return ok(
      principal.id,
      principal.subject,
      actions.size === 1
        ? "may do the one action flowship needs of it"
        : `may do all ${actions.size} actions flowship needs of it`,
    );
  }
  const listed = denied.map(
    (d) =>
      `${d.action}${d.resource === "*" ? "" : ` on ${d.resource}`}${d.explicit ? " (explicit Deny)" : ""}`,
  );
  const explicit = denied.some((d) => d.explicit);
  const more = listed.length - MAX_LISTED_DENIALS;
  const shown =
    more > 0 ? `${listed.slice(0, MAX_LISTED_DENIALS).join(", ")} and ${more} more` : listed.join(", ");
  return fail(
    principal.id,
    principal.subject,
    `denied ${new Set(denied.map((d) => d.action)).size} of ${actions.size} actions: ${shown}`,
    `${principal.grant}${explicit ? "; and remove the Deny statements that match them" : ""}`,
  );
}

/**
 * The IAM principal whose policies the deployer check simulates: `--deployer` when given, else
 * the caller (an assumed role's session stands for its role, looked up for the role's path).
 */
export async function deployerPrincipal(
  iam: IAMClient,
  identity: CallerIdentity,
  given?: string,
): Promise<{ arn: string } | { problem: CheckResult }> {
  const id = "permissions:deployer";
  if (given) return { arn: given };
  const arn = identity.arn;
  if (/^arn:aws[a-z-]*:iam::\d{12}:root$/.test(arn)) {
    return {
      problem: warn(
        id,
        "deployer permissions",
        "the caller is the account's root user, who may do everything: not checked",
        "deploy as an IAM user or role with the deployer policy of docs/production.md, and check it with --deployer ARN",
      ),
    };
  }
  const assumed = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(arn);
  if (assumed) {
    try {
      const role = await iam.send(new GetRoleCommand({ RoleName: assumed[3] }));
      return { arn: role.Role!.Arn! };
    } catch (error) {
      return {
        problem: lookupFailed(
          id,
          "deployer permissions",
          "iam:GetRole",
          error,
          `the caller's role ${assumed[3]} (or name the deployer with --deployer ARN)`,
        ),
      };
    }
  }
  if (/:(user|role|group)\//.test(arn) && arn.includes(":iam::")) return { arn };
  return {
    problem: warn(
      id,
      "deployer permissions",
      `the caller ${arn} is no IAM user or role, whose policies could be simulated: not checked`,
      "name the deployer's user or role with --deployer ARN",
    ),
  };
}
