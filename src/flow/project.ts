/**
 * Projects and their branches (`project({ name })`): which branch a deployment or a run belongs
 * to, the name its state machine takes, and the tags its runs carry. Shared by the local runtime,
 * the Batch entrypoint and the deploy commands, so a branch means the same thing everywhere.
 *
 * Branches: `prod` (`--production`), `test.<name>` (`--branch <name>`), and `user.<user>` (the
 * default, so nobody deploys over someone else by accident; see userBranch).
 */
import { UsageError } from "../errors.js";
import { sha256 } from "../util/hash.js";
import type { ProjectInfo } from "./current.js";
import type { FlowSpec } from "./types.js";

/** A flow's project and the branch it runs or is deployed in. */
export interface ProjectBranch {
  project: string;
  /** `prod`, `test.<name>` or `user.<user>`. */
  branch: string;
}

export const PRODUCTION_BRANCH = "prod";

/** The flow's project name, if it has one. */
export function projectOf(flow: Pick<FlowSpec, "decorators">): string | undefined {
  const decorator = flow.decorators.find((d) => d.kind === "project");
  return decorator?.kind === "project" ? decorator.options.name : undefined;
}

/** What `--branch` and `--production` asked for. */
export interface BranchChoice {
  branch?: string;
  production?: boolean;
  /** Where `branch` came from, for messages. @default "--branch" */
  branchFrom?: string;
}

/** How messages name the two choices, and the code of a bad one: the CLI's flags, or an API's options. */
export interface BranchChoiceNames {
  branch: string;
  production: string;
  code?: string;
}

const FLAGS: BranchChoiceNames = { branch: "--branch", production: "--production" };

/**
 * A user name as a branch name: lowercase ASCII letters, digits, `_` and `-`, other characters as
 * `-`. An ASCII name keeps the branch earlier versions gave it (a deployment's name must not move
 * under its owner on upgrade). A name with other characters is transliterated (`jörg` → `jorg`)
 * and followed by a hash of the name itself, since the branch is the user's own deployment,
 * namespace and token: `jörg` and `jürg`, `王` and `李` must never share one.
 */
function userBranch(user: string): string {
  const name = user.normalize("NFC");
  const cleaned = name
    .normalize("NFKD")
    .replace(/\p{M}/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, control characters included
  if (/^[\x00-\x7f]*$/.test(name) && cleaned) return `user.${cleaned}`;
  const hash = sha256(name).slice(0, 8);
  return `user.${cleaned ? `${cleaned}-${hash}` : hash}`;
}

/**
 * The branch of a flow with a project, or undefined for a flow without one (where `--branch` and
 * `--production` are refused, naming the decorator that would give them a meaning).
 */
export function resolveBranch(
  flow: Pick<FlowSpec, "name" | "decorators">,
  choice: BranchChoice,
  user: string,
  names: BranchChoiceNames = FLAGS,
): ProjectBranch | undefined {
  const project = projectOf(flow);
  const asked = choice.production ? names.production : choice.branch !== undefined ? names.branch : undefined;
  if (project === undefined) {
    if (asked) {
      throw new UsageError(
        `${asked.charAt(0).toUpperCase()}${asked.slice(1)} needs a project: flow '${flow.name}' has none. Add .decorator(project({ name: "…" })) to it.`,
        names.code,
      );
    }
    return undefined;
  }
  if (choice.production && choice.branch !== undefined) {
    throw new UsageError(
      `${names.branch.charAt(0).toUpperCase()}${names.branch.slice(1)} and ${names.production} cannot be combined: production is its own branch.`,
      names.code,
    );
  }
  if (choice.production) return { project, branch: PRODUCTION_BRANCH };
  if (choice.branch !== undefined) {
    if (!/^[a-z0-9][a-z0-9_-]{0,31}$/.test(choice.branch)) {
      throw new UsageError(
        `Invalid ${choice.branchFrom ?? names.branch} '${choice.branch}': 1 to 32 lowercase letters, digits, '_' or '-', starting with a letter or digit.`,
        names.code,
      );
    }
    return { project, branch: `test.${choice.branch}` };
  }
  return { project, branch: userBranch(user) };
}

/**
 * The name a flow's deployment takes in a branch, `<project>_<branch>_<flow>` with the branch's
 * `.` as `-` (state machine names allow letters, digits, `_` and `-`): `fraud_prod_FraudFlow`,
 * `fraud_test-staging_FraudFlow`, `fraud_user-alice_FraudFlow`.
 */
export function projectedFlowName(where: ProjectBranch, flow: string): string {
  return `${where.project}_${where.branch.replace(".", "-")}_${flow}`;
}

/** `current.project` of flow `flow` in a project's branch. */
export function projectInfoOf(where: ProjectBranch, flow: string): ProjectInfo {
  return {
    name: where.project,
    branch: where.branch,
    isProduction: where.branch === PRODUCTION_BRANCH,
    flowName: projectedFlowName(where, flow),
  };
}

/** The system tags of a run in a project's branch. */
export function projectTags(where: ProjectBranch): string[] {
  return [`project:${where.project}`, `project_branch:${where.branch}`];
}

/** The branch a run's system tags name, if it ran in a project. */
export function branchOfRun(systemTags: readonly string[]): string | undefined {
  return systemTags.find((t) => t.startsWith("project_branch:"))?.slice("project_branch:".length);
}
