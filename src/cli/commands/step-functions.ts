/**
 * `flowship <flow file> step-functions <subcommand>`: the flow on AWS Step Functions + AWS Batch.
 * Each subcommand lives in its own file under step-functions/ and is added to SUBCOMMANDS.
 */
import type { Command } from "commander";
import type { FlowCommandContext } from "../command-context.js";
import { registerBackfill } from "./step-functions/backfill.js";
import { registerCreate } from "./step-functions/create.js";
import { registerDelete } from "./step-functions/delete.js";
import { registerListRuns } from "./step-functions/list-runs.js";
import { registerRedrive } from "./step-functions/redrive.js";
import { registerResume } from "./step-functions/resume.js";
import { registerRollback } from "./step-functions/rollback.js";
import { registerSimulate } from "./step-functions/simulate.js";
import { registerTerminate } from "./step-functions/terminate.js";
import { registerTrigger } from "./step-functions/trigger.js";

/** Registers one subcommand on the `step-functions` group. */
export type StepFunctionsSubcommand = (group: Command, context: FlowCommandContext) => void;

const SUBCOMMANDS: readonly StepFunctionsSubcommand[] = [
  registerCreate,
  registerTrigger,
  registerListRuns,
  registerTerminate,
  registerResume,
  registerRedrive,
  registerBackfill,
  registerRollback,
  registerDelete,
  registerSimulate,
];

export function registerStepFunctions(program: Command, context: FlowCommandContext): void {
  const group = program
    .command("step-functions")
    .description("compile the flow for AWS Step Functions + AWS Batch and manage it there");
  for (const register of SUBCOMMANDS) register(group, context);
}
