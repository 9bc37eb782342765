import { type Command, Option } from "commander";
import { renderGraph, SHOW_FORMATS, type ShowFormat } from "../../graph/render.js";
import { validateFlow } from "../../graph/validate.js";
import type { FlowCommandContext } from "../command-context.js";

export function registerShow(program: Command, context: FlowCommandContext): void {
  program
    .command("show")
    .description("print the flow's steps and how they connect")
    .addOption(new Option("--format <format>", "output format").choices(SHOW_FORMATS).default("text"))
    .action((options: { format: ShowFormat }) => {
      process.stdout.write(`${renderGraph(validateFlow(context.flow), options.format)}\n`);
    });
}
