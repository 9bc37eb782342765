/**
 * `step-functions resume --origin-run-id sfn-… [STEP]`: resumes a failed production run with a
 * fix — an execution of the production version that clones what succeeded before the resume
 * point and runs the rest on the new code (aws/deploy/resume.ts). Prints the new run id.
 *
 * `resume RUN_ID` without `--origin-run-id` was the redrive before `redrive` had its own name; it
 * still redrives, with a notice.
 */
import fs from "node:fs";
import type { Command } from "commander";
import { checkRunId } from "../../../datastore/pathspec.js";
import { UsageError } from "../../../errors.js";
import { validateFlow } from "../../../graph/validate.js";
import { checkResumeStep } from "../../../run/resume-plan.js";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { checkRunIdFile } from "../../run-common.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";
import { type RedriveFlags, redrive } from "./redrive.js";

interface ResumeFlags extends RedriveFlags {
  originRunId?: string;
  runIdFile?: string;
}

export function registerResume(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("resume"), context.flow)
    .description(
      "resume a failed run with the production version's code: clone the tasks that succeeded before the resume point, run the rest; prints the new run id",
    )
    .argument("[step]", "run again from this step (default: the first step that did not succeed)")
    .option("--origin-run-id <id>", "the run to resume, sfn-<execution name>")
    .option("--run-id-file <file>", "write the new run id to this file")
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action(async (step: string | undefined, flags: ResumeFlags) => {
      if (flags.originRunId === undefined) {
        if (step?.startsWith("sfn-")) {
          process.stderr.write(
            `notice: 'step-functions resume ${step}' is now 'step-functions redrive ${step}' (an AWS redrive, on the version the run started with); to resume with the production version's code: step-functions resume --origin-run-id ${step}\n`,
          );
          return redrive(context, step, flags);
        }
        throw new UsageError(
          "Missing option '--origin-run-id sfn-…': the run to resume with the production version's code (step-functions list-runs --failed lists them).",
        );
      }
      checkRunId(flags.originRunId);
      const runIdFile = checkRunIdFile(flags.runIdFile);
      const graph = validateFlow(context.flow);
      // The run id's shape and the step, before any AWS call: whether the origin reached the
      // step is known only from its records, in S3 (aws/deploy/resume.ts).
      const { sfnExecutionName } = await import("../../../aws/deploy/resource-names.js");
      sfnExecutionName(flags.originRunId);
      if (step !== undefined) checkResumeStep(graph, context.flow.name, step);
      const aws = await awsCommandContext(context, {
        command: "resume",
        ...targetChoice(flags),
        required: ["s3Root"],
      });
      const [{ resumeWithFix }, { FlowStore }, { openStorage }, { datastoreLocation }] = await Promise.all([
        import("../../../aws/deploy/resume.js"),
        import("../../../datastore/flow-store.js"),
        import("../../../datastore/open-storage.js"),
        import("../../../aws/batch/datastore-location.js"),
      ]);
      const storage = await openStorage(datastoreLocation(aws.settings.s3Root!));
      const resumed = await resumeWithFix({
        sfn: aws.clients.sfn,
        target: aws.target,
        user: aws.user,
        ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
        originRunId: flags.originRunId,
        ...(step === undefined ? {} : { step }),
        graph,
        store: new FlowStore({ storage, flow: context.flow.name }),
      });
      const flow = context.flow.name;
      if (resumed.requested !== resumed.step) {
        process.stderr.write(
          `Step '${resumed.requested}' is inside '${resumed.step}': a resume on Step Functions goes on from a step outside every split, foreach and loop, so '${resumed.step}' runs again.\n`,
        );
      }
      const cloned =
        resumed.clonedTasks === 0
          ? "cloning nothing"
          : `cloning ${resumed.clonedTasks} task${resumed.clonedTasks === 1 ? "" : "s"} of ${resumed.clonedSteps.join(", ")}`;
      process.stderr.write(
        `Resuming run ${flow}/${flags.originRunId} on the production version (the code step-functions create last deployed, not the local file) from step '${resumed.step}' (${cloned}): run ${flow}/${resumed.runId} (execution ${resumed.executionArn}).\n`,
      );
      if (runIdFile) fs.writeFileSync(runIdFile, resumed.runId);
      process.stdout.write(`${resumed.runId}\n`);
    });
}
