/**
 * `step-functions rollback [--version N]`: makes an earlier version the production version (by
 * default the one before the current).
 */
import type { Command } from "commander";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { wholeNumberOption } from "../../options.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

export function registerRollback(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("rollback"), context.flow)
    .description("make an earlier version the production version (default: the previous one)")
    .option("--version <n>", "the version to make production")
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action(async (flags: { version?: string; name?: string; authorize?: string }) => {
      const version =
        flags.version === undefined
          ? undefined
          : wholeNumberOption("--version", flags.version, 1, undefined, "a version number");
      const { rollbackDeployment } = await import("../../../aws/deploy/rollback.js");
      const aws = await awsCommandContext(context, {
        command: "rollback",
        ...targetChoice(flags),
      });
      const { from, to } = await rollbackDeployment({
        clients: aws.clients,
        target: aws.target,
        user: aws.user,
        ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
        ...(version === undefined ? {} : { version }),
      });
      process.stdout.write(
        from === to
          ? `Version ${to} of '${aws.target.name}' already is the production version.\n`
          : `Rolled back '${aws.target.name}' from version ${from} to version ${to}: triggers and schedules now start version ${to}.\n`,
      );
    });
}
