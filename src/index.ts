/**
 * @module flowship — write a flow of steps in TypeScript, run it locally, ship it to AWS.
 *
 * @example
 * import { flow } from "flowship";
 *
 * export default flow("ParameterFlow")
 *   .parameter("alpha", { help: "learning rate", default: 0.1 })
 *   .step("start", (self) => { console.log(`alpha is ${self.alpha}`); }, { next: "end" })
 *   .step("end", (self) => { console.log(`alpha still is ${self.alpha}`); })
 *   .run();
 */
export { flow, Flow } from "./flow/flow-builder.js";
export {
  retry,
  catchError,
  timeout,
  resources,
  environment,
  schedule,
  parseDecoratorSpec,
  type RetryOptions,
  type CatchOptions,
  type TimeoutOptions,
  type ResourcesOptions,
  type EnvironmentOptions,
  type ScheduleOptions,
  type StepDecorator,
  type FlowDecorator,
} from "./flow/decorators.js";
export { current, type CurrentTask } from "./flow/current.js";
export type { ParameterOptions, ParameterType, ParameterContext } from "./flow/parameters.js";
export type { Artifacts, Self, JoinInputs, StepOptions, FlowSpec, StepSpec, StepContext } from "./flow/types.js";
export { mergeArtifacts, type MergeOptions } from "./task/merge-artifacts.js";
export { FlowshipError, NonRetryableError, isFlowshipError } from "./errors.js";
