/** Every command of a flow, registered on its program. */
import type { Command } from "commander";
import type { FlowCommandContext } from "./command-context.js";
import { registerCard } from "./commands/card.js";
import { registerCheck } from "./commands/check.js";
import { registerDump } from "./commands/dump.js";
import { registerLogs } from "./commands/logs.js";
import { registerResume } from "./commands/resume.js";
import { registerRun } from "./commands/run.js";
import { registerRuns } from "./commands/runs.js";
import { registerShow } from "./commands/show.js";
import { registerStepFunctions } from "./commands/step-functions.js";
import { registerTag } from "./commands/tag.js";

export function registerFlowCommands(program: Command, context: FlowCommandContext): void {
  registerRun(program, context);
  registerResume(program, context);
  registerCheck(program, context);
  registerShow(program, context);
  registerStepFunctions(program, context);
  registerRuns(program, context);
  registerLogs(program, context);
  registerDump(program, context);
  registerTag(program, context);
  registerCard(program, context);
}
