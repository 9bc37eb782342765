/**
 * @module flowship/api — flowship from code: run and resume a flow locally (`Runner`), deploy it
 * to AWS Step Functions, simulate that deployment and drive its runs (`Deployer`, `DeployedFlow`,
 * `TriggeredRun`). Each call does what the matching CLI command does and fails with the same
 * FlowshipError codes; given the flow object, parameters are type-checked against its declaration
 * and runs come back as Client API `Run`s typed by its artifacts.
 *
 * @example
 * import { Runner } from "flowship/api";
 * import parameterFlow from "./parameter_flow.js";
 *
 * const run = await new Runner(parameterFlow).run({ alpha: 0.5 });
 * console.log(run.successful, await run.data?.alpha);
 */

export type { ExecutionStatus } from "@aws-sdk/client-sfn";
export type { DeleteResult } from "../aws/deploy/delete.js";
export type { RunStatusFilter } from "../aws/deploy/list-runs.js";
export type { RollbackResult } from "../aws/deploy/rollback.js";
export { FlowshipError, isFlowshipError } from "../errors.js";
export type { ArtifactsOf, ParametersOf, StepsOf } from "../flow/flow-builder.js";
export type { AwsOptions } from "./aws-session.js";
export {
  DeployedFlow,
  type DeployedFlowOptions,
  type ListRunsOptions,
} from "./deployed-flow.js";
export {
  type CreateOptions,
  Deployer,
  type SimulateOptions,
  StepFunctionsDeployer,
  type StepFunctionsOptions,
} from "./deployer.js";
export { API_ERROR_CODES, ApiUsageError, RunFailedError } from "./errors.js";
export {
  ExecutingRun,
  type ExecutingRunStatus,
  type LogLine,
} from "./executing-run.js";
export type { FlowInput } from "./flow-source.js";
export type { RequiredParameterNames, RunArtifacts, WithoutParameters } from "./parameters.js";
export { type ResumeOptions, type RunCallOptions, Runner, type RunnerOptions } from "./runner.js";
export { TriggeredRun, type WaitOptions } from "./triggered-run.js";
