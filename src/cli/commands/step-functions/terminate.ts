/**
 * `step-functions terminate RUN_ID…`: stops running production runs of this flow, one after the
 * other (e.g. a backfill's, docs/production.md §7); one that is no longer running, or is not a run
 * of this state machine, is named and skipped.
 */
import type { Command } from "commander";
import { isFlowshipError } from "../../../errors.js";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

/** Errors that name one run and leave the others to stop. */
const SKIPPED = new Set(["FS_SFN_RUN_NOT_RUNNING", "FS_SFN_RUN_NOT_FOUND"]);

export function registerTerminate(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("terminate"), context.flow)
    .description("stop running runs of the flow on AWS Step Functions")
    .argument("<run-ids...>", "the run ids, sfn-<execution name>, one or more")
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action(async (runIds: string[], flags: { name?: string; authorize?: string }) => {
      const [{ terminateRun }, { sfnExecutionName }] = await Promise.all([
        import("../../../aws/deploy/terminate.js"),
        import("../../../aws/deploy/resource-names.js"),
      ]);
      // Every id's shape before any AWS call: a typo among many stops none.
      for (const runId of runIds) sfnExecutionName(runId);
      const aws = await awsCommandContext(context, {
        command: "terminate",
        ...targetChoice(flags),
      });
      for (const runId of runIds) {
        try {
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
        } catch (error) {
          // A run that ended meanwhile needs no stopping, and one this state machine does not have
          // cannot be stopped: each is said, and the others are still stopped, wherever it stands.
          if (!isFlowshipError(error) || !SKIPPED.has(error.code)) throw error;
          process.stderr.write(`error: ${error.message}\n`);
          process.exitCode = 1;
        }
      }
    });
}
