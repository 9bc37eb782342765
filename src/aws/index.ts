/**
 * @module flowship/aws — compile a flow for AWS Step Functions + AWS Batch.
 *
 * The compiler is pure: it turns a validated flow graph into a state machine definition (Amazon
 * States Language) and a Batch job definition, without calling AWS.
 *
 * @example
 * import { compileStepFunctions } from "flowship/aws";
 * import myFlow from "./my_flow.js";
 *
 * const { name, definition, jobDefinitions, stats } = compileStepFunctions(myFlow, {
 *   jobQueue: "flows",
 *   datastoreRoot: "s3://my-bucket/flowship",
 * });
 * console.log(name, stats.definitionBytes, JSON.stringify(definition, null, 2));
 */

export type { JsonObject, JsonValue } from "./asl/json.js";
export type { StateMachineDefinition } from "./asl/state-machine.js";
export {
  type AssignPublicIp,
  type ComputeKind,
  PLACEHOLDERS,
  parseS3Root,
  type StepFunctionsCompileOptions,
} from "./compile/compile-options.js";
export { type CompiledStateMachine, compileStateMachine } from "./compile/compile-state-machine.js";
export {
  CODE_PACKAGE_PLACEHOLDERS,
  compileStepFunctions,
  type StepFunctionsDeployment,
  type StepFunctionsDeploymentOptions,
} from "./compile/compile-step-functions.js";
export {
  FargateResourcesError,
  StepFunctionsLimitError,
  StepFunctionsNameError,
  StepFunctionsOptionError,
} from "./compile/errors.js";
export { FARGATE_SIZES, type FargatePair, fargateResources } from "./compile/fargate-resources.js";
export { FOREACH_FILE } from "./compile/foreach-states.js";
export { INVALID_INPUT_ERROR } from "./compile/input-states.js";
export {
  compileJobDefinition,
  DEFAULT_IMAGE,
  defaultCommand,
  type JobDefinitionInput,
  type JobDefinitionOptions,
} from "./compile/job-definition.js";
export { type DefinitionStats, LIMITS } from "./compile/limits.js";
export { batchJobName, jobDefinitionName, stateMachineName } from "./compile/naming.js";
export { JOB_DEFINITION_ENV, TASK_ENV } from "./compile/task-environment.js";
