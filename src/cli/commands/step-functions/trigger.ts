/**
 * `step-functions trigger`: starts the production version of the deployed flow. Parameters are
 * flags typed and checked exactly as `run` checks them; only the ones given are sent, so the
 * others take their defaults when the run starts. Prints the run id `sfn-<execution name>`.
 */

import fs from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { compileStepFunctions } from "../../../aws/compile/compile-step-functions.js";
import { currentUser } from "../../../config.js";
import { resolveBranch } from "../../../flow/project.js";
import { resolveParameters } from "../../../run/resolve-parameters.js";
import { PRODUCTION_USER } from "../../../run/run-record.js";
import { addBranchOptions, branchChoice } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { collect, decoratorsFromFlags } from "../../options.js";
import { addParameterOptions } from "../../parameter-options.js";
import { checkRunIdFile } from "../../run-common.js";
import { awsCommandContext, checkNamedDeployment, NAME_OPTION, targetChoice } from "./aws-context.js";

interface TriggerFlags {
  name?: string;
  branch?: string;
  production?: boolean;
  runIdFile?: string;
  with: string[];
  [parameter: string]: unknown;
}

export function registerTrigger(group: Command, context: FlowCommandContext): void {
  const command = addBranchOptions(group.command("trigger"), context.flow)
    .description("start a run of the production version on AWS Step Functions; prints its run id")
    .option(...NAME_OPTION)
    .option("--run-id-file <file>", "write the run id to this file")
    .option("--with <decorator>", "the --with decorators the flow was deployed with", collect, []);
  const parameterText = addParameterOptions(command, context.flow);
  command.action(async (flags: TriggerFlags) => {
    const flow = context.flow;
    const { text } = parameterText(flags);
    const runIdFile = checkRunIdFile(flags.runIdFile);
    // Defaults are evaluated by the run's start step; here they are only checked, as it would.
    const project = resolveBranch(flow, branchChoice(flow, flags), currentUser());
    const values = await resolveParameters(
      flow,
      { text, includeBase: path.dirname(path.resolve(context.file)) },
      { user: PRODUCTION_USER, ...(project ? { project } : {}) },
    );
    const given = Object.fromEntries(Object.keys(text).map((name) => [name, values[name]]));
    // The room for parameters depends on the start step only, not on where the flow is deployed.
    const { stats } = compileStepFunctions(flow, {
      ...(flags.name === undefined ? {} : { name: flags.name }),
      withDecorators: decoratorsFromFlags(context.globals(), flags.with),
    });
    const { executionInput, triggerFlow } = await import("../../../aws/deploy/trigger.js");
    const input = executionInput(flow.name, given, stats.parametersBudgetChars);
    const aws = await awsCommandContext(context, { command: "trigger", ...targetChoice(flags) });
    await checkNamedDeployment(aws, flags);
    const run = await triggerFlow({ sfn: aws.clients.sfn, target: aws.target, input });
    process.stderr.write(
      `Triggered flow ${flow.name} on AWS Step Functions: run ${flow.name}/${run.runId} (execution ${run.executionArn}).\n`,
    );
    if (runIdFile) fs.writeFileSync(runIdFile, run.runId);
    process.stdout.write(`${run.runId}\n`);
  });
}
