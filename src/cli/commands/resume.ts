import type { Command } from "commander";
import { effectiveSettings } from "../../aws/deploy/aws-settings.js";
import { FlowStore } from "../../datastore/flow-store.js";
import { openStorage } from "../../datastore/open-storage.js";
import { checkRunId } from "../../datastore/pathspec.js";
import { FlowshipError } from "../../errors.js";
import type { FlowCommandContext } from "../command-context.js";
import { addRunOptions, type CommonRunFlags, runGlobals, startRun } from "../run-common.js";

export function registerResume(program: Command, context: FlowCommandContext): void {
  addRunOptions(
    program
      .command("resume")
      .description(
        "start a new run that reuses the successful tasks of an earlier one and runs the rest with the current code",
      )
      .argument("[step]", "run again from this step (default: the first step that did not succeed)")
      .option("--origin-run-id <id>", "the run to resume (default: the latest run started with `run`)"),
    context.flow,
  ).action(async (step: string | undefined, options: CommonRunFlags & { originRunId?: string }) => {
    const location = runGlobals(context, options).datastore;
    const store = new FlowStore({ storage: await openStorage(location), flow: context.flow.name });
    // An empty --origin-run-id is a mistake (an unset variable), not a request for the latest run.
    const originRunId =
      options.originRunId !== undefined ? checkRunId(options.originRunId) : await store.readLatestRun();
    if (!originRunId) {
      throw new FlowshipError(
        "FS_RESUME_NO_ORIGIN",
        `Cannot resume: flow '${context.flow.name}' has no earlier run in ${location.root}; pass --origin-run-id.`,
      );
    }
    // A production run to reproduce here: it is in the deployments' S3 datastore, and the resumed
    // run (its steps run on this machine) is stored next to it, cloning what succeeded.
    const chosen = options.datastore !== undefined || options.datastoreRoot !== undefined;
    const s3Root = effectiveSettings().s3Root;
    if (originRunId.startsWith("sfn-") && !chosen && s3Root && !(await store.readRun(originRunId))) {
      process.stderr.write(
        `note: run ${context.flow.name}/${originRunId} is in the deployment's datastore ${s3Root} (AWS settings): the resumed run runs here and is stored there too.\n`,
      );
      options.datastore = "s3";
      options.datastoreRoot = s3Root;
    }
    process.exitCode = await startRun(context, options, {
      parameterText: {},
      resume: { originRunId, ...(step ? { step } : {}) },
    });
  });
}
