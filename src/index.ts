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

export type { CardRecord } from "./card/card-record.js";
export type { ChartField, ChartMark, ChartSpec, FieldType } from "./card/chart-spec.js";
export {
  type CardComponent,
  type ChartComponent,
  chart,
  type ImageComponent,
  type ImageOptions,
  image,
  type MarkdownComponent,
  markdown,
  type ProgressBar,
  type ProgressComponent,
  progress,
  type TableCell,
  type TableComponent,
  type TableOptions,
  table,
} from "./card/components.js";
export { CardError } from "./card/errors.js";
export type { TaskCard } from "./card/task-cards.js";
export {
  DataArtifact,
  getNamespace,
  listFlows,
  namespace,
  Run,
  Step,
  setDatastore,
  Task,
} from "./client/index.js";
export { FlowshipError, isFlowshipError, NonRetryableError } from "./errors.js";
export { type CurrentTask, current, type ForeachLevel, type ProjectInfo } from "./flow/current.js";
export {
  type BatchOptions,
  batch,
  type CardOptions,
  type CatchOptions,
  card,
  catchError,
  type EnvironmentOptions,
  environment,
  type FlowDecorator,
  type ProjectOptions,
  parseDecoratorSpec,
  project,
  type ResourcesOptions,
  type RetryOptions,
  resources,
  retry,
  type ScheduleOptions,
  type StepDecorator,
  schedule,
  type TimeoutOptions,
  type TriggerOnFinishOptions,
  type TriggerOptions,
  timeout,
  trigger,
  triggerOnFinish,
} from "./flow/decorators.js";
export { type ArtifactsOf, Flow, flow, type ParametersOf, type StepsOf } from "./flow/flow-builder.js";
export {
  includeFile,
  type ParameterContext,
  type ParameterOptions,
  type ParameterType,
} from "./flow/parameters.js";
export type {
  Artifacts,
  FlowSpec,
  JoinInputs,
  Self,
  StepContext,
  StepOptions,
  StepSpec,
} from "./flow/types.js";
export { type MergeOptions, mergeArtifacts } from "./task/merge-artifacts.js";
