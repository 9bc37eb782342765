/** The project branch flags of the commands of a flow with `project()`: run, resume and step-functions. */
import type { Command } from "commander";
import { projectOf } from "../flow/project.js";
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
