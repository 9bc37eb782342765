import type { FlowDecorator, StepDecorator } from "./decorators.js";
import type { ParameterSpec } from "./parameters.js";
import type { SourceLocation } from "./source-location.js";

/** Artifacts of a flow, by name. Declare them once with `flow<MyArtifacts>("Name")`. */
export type Artifacts = Record<string, any>;

/** What a step reads besides artifacts. */
export interface StepContext {
  /** In a step fanned out by `foreach`: this task's item. */
  readonly input: any;
  /** In a step fanned out by `foreach`: this task's position in the list, from 0. */
  readonly index: number;
}

/** `self` in a step: parameters and upstream artifacts to read, new artifacts to assign. */
export type Self<A extends Artifacts> = A & StepContext;

/**
 * The artifacts of every task that feeds a join: an array (in foreach order for a foreach join)
 * that after a static split also has one property per branch, e.g. `inputs.train.score`.
 */
export type JoinInputs<A extends Artifacts> = ReadonlyArray<Readonly<A>> & {
  readonly [branch: string]: Readonly<A>;
};

export type StepFunction<A extends Artifacts> = (self: Self<A>) => void | Promise<void>;
export type JoinFunction<A extends Artifacts> = (
  self: Self<A>,
  inputs: JoinInputs<A>,
) => void | Promise<void>;

export interface StepOptions {
  /**
   * The step(s) that run after this one: one name, several for a static split, or — with
   * `condition` — a map from a value of that artifact to the step it leads to (a switch).
   */
  next?: string | readonly string[] | Readonly<Record<string, string>>;
  /**
   * Makes the step a switch: the artifact whose value (as `String(value)`) picks the case of
   * `next` that runs next. A case may lead back to this or an earlier step: a loop.
   */
  condition?: string;
  /** Fan out over the items of this artifact; `next` names the step that runs once per item. */
  foreach?: string;
  /** This step joins a split or foreach: its function receives `(self, inputs)`. */
  join?: boolean;
  decorators?: readonly StepDecorator[];
  /** One line shown by `show`. */
  doc?: string;
}

export interface StepSpec {
  name: string;
  fn: (self: any, inputs?: any) => unknown;
  next: string[];
  foreach?: string;
  /** A switch: the artifact that picks the case. */
  condition?: string;
  /** A switch: `String(value)` of the condition → the step it leads to; `next` lists the steps. */
  cases?: Record<string, string>;
  join: boolean;
  decorators: StepDecorator[];
  doc?: string;
  location?: SourceLocation;
}

/** A flow as data: what the graph, the runtime and the compilers work from. */
export interface FlowSpec {
  readonly name: string;
  readonly parameters: readonly ParameterSpec[];
  readonly steps: readonly StepSpec[];
  readonly decorators: readonly FlowDecorator[];
  readonly location?: SourceLocation;
}
