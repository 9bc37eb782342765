/**
 * `step-functions resume RUN_ID`: restarts a failed production run from its failed steps (a Step
 * Functions redrive); the run keeps its id and what already succeeded.
 */
import type { Command } from "commander";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../flow-commands.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

export function registerResume(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("resume"), context.flow)
    .description("restart a failed run on AWS Step Functions from the steps that failed (redrive)")
    .argument("<run-id>", "the run id, sfn-<execution name>")
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action(async (runId: string, flags: { name?: string; authorize?: string }) => {
      const { resumeRun } = await import("../../../aws/deploy/resume.js");
      const aws = await awsCommandContext(context, {
        command: "resume",
        ...targetChoice(flags),
      });
      await resumeRun({
        sfn: aws.clients.sfn,
        target: aws.target,
        runId,
        user: aws.user,
        ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
      });
      process.stdout.write(
        `Resumed run ${context.flow.name}/${runId}: Step Functions runs its failed steps again; follow it with step-functions list-runs.\n`,
      );
    });
}
