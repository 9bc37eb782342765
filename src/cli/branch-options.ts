/** The project branch flags of the commands of a flow with `project()`: run, resume and step-functions. */
import type { Command } from "commander";
import { branchFromEnvironment } from "../config.js";
import { type BranchChoice, projectOf } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";

/**
 * `--branch` and `--production`, on the commands of a flow with a project only: elsewhere they
 * would mean nothing, and would take a parameter's flag of that name.
 */
export function addBranchOptions(command: Command, flow: FlowSpec): Command {
  const project = projectOf(flow);
  if (project === undefined) return command;
  return command
    .option(
      "--branch <name>",
      `the test branch test.<name> of project ${project} (default: your own branch, user.<you>)`,
    )
    .option("--production", `the production branch of project ${project}, prod`, false);
}

/**
 * The branch flags as given, with FLOWSHIP_BRANCH standing for a `--branch` not given (Metaflow's
 * METAFLOW_BRANCH). `--production` wins over the variable, which a flow without a project ignores:
 * it may be set for every flow of a shell.
 */
export function branchChoice(flow: FlowSpec, flags: BranchChoice): BranchChoice {
  const fromEnvironment = branchFromEnvironment();
  if (flags.branch !== undefined || flags.production || fromEnvironment === undefined) return flags;
  if (projectOf(flow) === undefined) return flags;
  return { ...flags, branch: fromEnvironment, branchFrom: "FLOWSHIP_BRANCH" };
}
