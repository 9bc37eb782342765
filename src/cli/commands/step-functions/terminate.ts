/** `step-functions terminate RUN_ID`: stops a running production run of this flow. */
import type { Command } from "commander";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

export function registerTerminate(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("terminate"), context.flow)
    .description("stop a running run of the flow on AWS Step Functions")
    .argument("<run-id>", "the run id, sfn-<execution name>")
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action(async (runId: string, flags: { name?: string; authorize?: string }) => {
      const { terminateRun } = await import("../../../aws/deploy/terminate.js");
      const aws = await awsCommandContext(context, {
        command: "terminate",
        ...targetChoice(flags),
      });
      const { stopDate } = await terminateRun({
        sfn: aws.clients.sfn,
        target: aws.target,
        runId,
        user: aws.user,
        ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
      });
      process.stdout.write(
        `Terminated run ${context.flow.name}/${runId}${stopDate ? ` at ${stopDate.toISOString()}` : ""}.\n`,
      );
    });
}
