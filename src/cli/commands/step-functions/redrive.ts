/**
 * `step-functions redrive RUN_ID`: restarts a failed production run from its failed steps (a Step
 * Functions redrive), on the version it started with; the run keeps its id and what already
 * succeeded. To run the rest on fixed code, `resume --origin-run-id` instead.
 */
import type { Command } from "commander";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

export interface RedriveFlags {
  name?: string;
  branch?: string;
  production?: boolean;
  authorize?: string;
}

/** Redrives `runId` and says so; shared with the old spelling, `resume RUN_ID`. */
export async function redrive(
  context: FlowCommandContext,
  runId: string,
  flags: RedriveFlags,
): Promise<void> {
  const [{ redriveRun }, { sfnExecutionName }] = await Promise.all([
    import("../../../aws/deploy/redrive.js"),
    import("../../../aws/deploy/resource-names.js"),
  ]);
  // Before the settings are read and any AWS call: a mistyped run id costs no request.
  sfnExecutionName(runId);
  const aws = await awsCommandContext(context, { command: "redrive", ...targetChoice(flags) });
  await redriveRun({
    sfn: aws.clients.sfn,
    target: aws.target,
    runId,
    user: aws.user,
    ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
  });
  process.stdout.write(
    `Redriven run ${context.flow.name}/${runId}: Step Functions runs its failed steps again, on the version it started with; follow it with step-functions list-runs.\n`,
  );
}

export function registerRedrive(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("redrive"), context.flow)
    .description(
      "restart a failed run on AWS Step Functions from the steps that failed, on the version it started with (an AWS redrive, within 14 days)",
    )
    .argument("<run-id>", "the run id, sfn-<execution name>")
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action((runId: string, flags: RedriveFlags) => redrive(context, runId, flags));
}
