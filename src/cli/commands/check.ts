import type { Command } from "commander";
import { validateFlow } from "../../graph/validate.js";
import type { FlowCommandContext } from "../flow-commands.js";

export function registerCheck(program: Command, context: FlowCommandContext): void {
  program
    .command("check")
    .description("validate the flow's graph, parameters and decorators without running anything")
    .action(() => {
      const graph = validateFlow(context.flow);
      process.stdout.write(
        `Flow '${context.flow.name}' is valid: ${graph.order.length} steps, ${context.flow.parameters.length} parameters.\n`,
      );
    });
}
