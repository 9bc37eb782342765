/** `step-functions delete`: removes the deployment, its schedule, its triggerOnFinish rule and its alerts. */
import type { Command } from "commander";
import { datastoreLocation } from "../../../aws/batch/datastore-location.js";
import { openStorage } from "../../../datastore/open-storage.js";
import { addBranchOptions } from "../../branch-options.js";
import type { FlowCommandContext } from "../../command-context.js";
import { AUTHORIZE_OPTION, awsCommandContext, NAME_OPTION, targetChoice } from "./aws-context.js";

export function registerDelete(group: Command, context: FlowCommandContext): void {
  addBranchOptions(group.command("delete"), context.flow)
    .description(
      "delete the flow's state machine, its schedule, its triggerOnFinish and event rules and its alerts (rule, webhook destination and connection)",
    )
    .option(...NAME_OPTION)
    .option(...AUTHORIZE_OPTION)
    .action(async (flags: { name?: string; authorize?: string }) => {
      const { deleteDeployment } = await import("../../../aws/deploy/delete.js");
      const aws = await awsCommandContext(context, {
        command: "delete",
        ...targetChoice(flags),
      });
      const result = await deleteDeployment({
        clients: aws.clients,
        target: aws.target,
        user: aws.user,
        ...(aws.settings.s3Root
          ? { storage: await openStorage(datastoreLocation(aws.settings.s3Root)) }
          : {}),
        ...(flags.authorize === undefined ? {} : { authorize: flags.authorize }),
      });
      const removed = [
        ...(result.scheduleDeleted ? ["its schedule"] : []),
        ...(result.triggerDeleted ? ["its triggerOnFinish rule"] : []),
        ...(result.eventRulesDeleted > 0
          ? [`its ${result.eventRulesDeleted} event rule${result.eventRulesDeleted > 1 ? "s" : ""}`]
          : []),
        ...(result.notifyDeleted ? ["its alerts"] : []),
      ];
      process.stdout.write(
        `Deleted state machine ${aws.target.stateMachineArn}${removed.length ? ` and ${removed.join(" and ")}` : ""}.\n` +
          "Step Functions may take a few minutes to finish deleting; create it again after that. Running executions go on: terminate them if needed.\n",
      );
    });
}
