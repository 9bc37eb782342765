import type { Command } from "commander";
import { checkScheduleFires, flowSchedule } from "../../aws/schedule/schedule-plan.js";
import { validateFlow } from "../../graph/validate.js";
import type { FlowCommandContext } from "../command-context.js";

export function registerCheck(program: Command, context: FlowCommandContext): void {
  program
    .command("check")
    .description("validate the flow's graph, parameters and decorators without running anything")
    .action(() => {
      const graph = validateFlow(context.flow);
      // The schedule only matters once deployed, but a bad cron is best found now.
      const schedule = flowSchedule(context.flow);
      if (schedule) checkScheduleFires(schedule, context.flow.name);
      process.stdout.write(
        `Flow '${context.flow.name}' is valid: ${graph.order.length} steps, ${context.flow.parameters.length} parameters${
          schedule ? `, scheduled ${schedule.expression} ${schedule.timezone}` : ""
        }.\n`,
      );
    });
}
