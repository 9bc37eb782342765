/**
 * The authoring API: `flow(name).parameter(…).step(…).decorator(…).run()`.
 */
import { checkFlowDecorator, checkStepDecorator } from "./decorator-check.js";
import type { FlowDecorator } from "./decorators.js";
import { FlowDefinitionError } from "./errors.js";
import { unknownOption } from "./option-keys.js";
import {
  checkParameterType,
  inferParameterType,
  type ParameterOptions,
  type ParameterSpec,
} from "./parameters.js";
import { isMainModule, registerFlow } from "./registry.js";
import { callerLocation, type SourceLocation } from "./source-location.js";
import type { Artifacts, FlowSpec, JoinFunction, StepFunction, StepOptions, StepSpec } from "./types.js";

type ParameterValue<O> = O extends { separator: string }
  ? string[]
  : O extends { type: "string" }
    ? string
    : O extends { type: "number" | "integer" }
      ? number
      : O extends { type: "boolean" }
        ? boolean
        : O extends { type: "json" }
          ? any
          : O extends { default: (...args: any[]) => infer R }
            ? Awaited<R>
            : O extends { default: infer D }
              ? D extends number
                ? number
                : D extends string
                  ? string
                  : D extends boolean
                    ? boolean
                    : D
              : string;

/** The keys of a parameter's and a step's options: any other is a typo to refuse (option-keys.ts). */
const PARAMETER_OPTIONS = ["help", "default", "required", "type", "separator", "includeFile"] as const;
const STEP_OPTIONS = ["next", "condition", "foreach", "join", "decorators", "doc"] as const;

/** What a caller may pass for a parameter: a list parameter also takes its text, split on its separator. */
type ParameterInput<O> = O extends { separator: string } ? string[] | string : ParameterValue<O>;

/**
 * One parameter as the programmatic API takes it (`Runner.run({ alpha: 0.5 })`): a key the caller
 * must give for a required parameter without a default, else an optional one.
 */
type GivenParameter<N extends string, O> = O extends { required: true }
  ? O extends { default: NonNullable<unknown> }
    ? { readonly [K in N]?: ParameterInput<O> }
    : { readonly [K in N]: ParameterInput<O> }
  : { readonly [K in N]?: ParameterInput<O> };

/** No parameters declared yet. */
type NoParameters = Record<never, never>;

/**
 * The step names as a method's parameter, which TypeScript compares both ways: a flow variable
 * reassigned as steps are added in a loop (`built = built.step(name, …)`) still type-checks, its
 * type keeping the names of its declaration.
 */
type StepNames<S extends string> = { names(step: S): void }["names"];

/**
 * A flow under construction. Each method records what it is given and returns the flow, so the
 * calls chain; the flow is checked as a whole by `check` and before every run.
 */
export class Flow<A extends Artifacts = Artifacts, P extends object = NoParameters, S extends string = never>
  implements FlowSpec
{
  /**
   * @internal Types only, never set: the parameters as callers give them, read by
   * `ParametersOf` (the programmatic API types `run(params)` with it).
   */
  declare readonly "~parameters"?: P;
  /** @internal Types only, never set: the names of the steps, read by `StepsOf` (`resume({ step })`). */
  declare readonly "~steps"?: StepNames<S>;
  readonly name: string;
  readonly parameters: ParameterSpec[] = [];
  readonly steps: StepSpec[] = [];
  readonly decorators: FlowDecorator[] = [];
  readonly location?: SourceLocation;
  /** @internal where each parameter was declared, for error messages */
  readonly parameterLocations = new Map<string, SourceLocation | undefined>();

  constructor(name: string, location?: SourceLocation) {
    this.name = name;
    this.location = location;
  }

  /** Declare a parameter: `--name value` on the command line, a read-only artifact in every step. */
  parameter<N extends string, const O extends ParameterOptions<any>>(
    name: N,
    options: O = {} as O,
  ): Flow<A & { readonly [K in N]: ParameterValue<O> }, P & GivenParameter<N, O>, S> {
    const hasDefault = options.default !== undefined;
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new FlowDefinitionError(
        "FS_PARAM_OPTION",
        `Invalid options of parameter '${name}' of flow '${this.name}': give an object such as { default: ${JSON.stringify(options) ?? String(options)} }, got ${JSON.stringify(options) ?? String(options)}.`,
      );
    }
    const unknownKey = unknownOption(options, PARAMETER_OPTIONS);
    if (unknownKey !== undefined) {
      throw new FlowDefinitionError(
        "FS_PARAM_OPTION",
        `Unknown option '${unknownKey.key}'${unknownKey.hint} of parameter '${name}' of flow '${this.name}': a parameter takes ${PARAMETER_OPTIONS.filter((o) => o !== "includeFile").join(", ")}.`,
      );
    }
    checkParameterType(this.name, name, options.type);
    this.parameters.push({
      name,
      ...(options.help !== undefined ? { help: options.help } : {}),
      type: inferParameterType(options),
      required: options.required ?? false,
      ...(hasDefault ? { default: options.default } : {}),
      hasDefault,
      ...(options.separator !== undefined ? { separator: options.separator } : {}),
      ...(options.includeFile ? { includeFile: true } : {}),
    });
    this.parameterLocations.set(name, callerLocation(Flow.prototype.parameter));
    return this as any;
  }

  /** Declare a join step: it receives the artifacts of every incoming task as `inputs`. */
  step<N extends string>(
    name: N,
    fn: JoinFunction<A>,
    options: StepOptions & { join: true },
  ): Flow<A, P, S | N>;
  /** Declare a step. The step named `end` has no `next`. */
  step<N extends string>(
    name: N,
    fn: StepFunction<A>,
    options?: StepOptions & { join?: false },
  ): Flow<A, P, S | N>;
  step(name: string, fn: StepFunction<A> | JoinFunction<A>, options: StepOptions = {}): Flow<A, P, string> {
    // A flow is loaded without type checking: `.step("start", { next: "end" })` or an undefined
    // function would pass `check` and fail every task of the step with `fn is not a function`.
    if (typeof fn !== "function") {
      const got =
        fn === undefined || fn === null
          ? String(fn)
          : `a${/^[aeiou]/.test(typeof fn) ? "n" : ""} ${typeof fn}`;
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_STEP",
        `Step '${name}' of flow '${this.name}' has no function: .step(name, fn, options) got ${got} where the step's function goes; write .step("${name}", (self) => { … }, options).`,
      );
    }
    if (typeof options !== "object" || options === null || Array.isArray(options)) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_STEP",
        `Invalid options of step '${name}' of flow '${this.name}': give an object such as { next: "end" }, got ${JSON.stringify(options) ?? String(options)}.`,
      );
    }
    const unknownStepKey = unknownOption(options, STEP_OPTIONS);
    if (unknownStepKey !== undefined) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_STEP",
        `Unknown option '${unknownStepKey.key}'${unknownStepKey.hint} of step '${name}' of flow '${this.name}': a step takes ${STEP_OPTIONS.join(", ")}.`,
      );
    }
    const { next, cases } = transitions(options.next);
    // An anonymous step function takes the step's name, so a stack trace says `at start` rather
    // than V8's guess from the call chain (`flow.parameter.step.step.next`); a named one keeps its own.
    if (typeof fn === "function" && fn.name === "") Object.defineProperty(fn, "name", { value: name });
    this.steps.push({
      name,
      fn: fn as StepSpec["fn"],
      next,
      ...(options.foreach !== undefined ? { foreach: options.foreach } : {}),
      ...(options.condition !== undefined ? { condition: options.condition } : {}),
      ...(cases ? { cases } : {}),
      join: options.join ?? false,
      decorators: [...(options.decorators ?? [])].map((d) => checkStepDecorator(d, name)),
      ...(options.doc !== undefined ? { doc: options.doc } : {}),
      location: callerLocation(Flow.prototype.step),
    });
    return this as Flow<A, P, string>;
  }

  /** Add a flow-level decorator, e.g. `schedule({ hourly: true })`. */
  decorator(decorator: FlowDecorator): this {
    checkFlowDecorator(decorator, this.name);
    if (decorator?.kind === "project" && this.decorators.some((d) => d.kind === "project")) {
      throw new FlowDefinitionError(
        "FS_FLOW_BAD_DECORATOR",
        `Flow '${this.name}' has two project decorators: a flow belongs to one project.`,
      );
    }
    this.decorators.push(decorator);
    return this;
  }

  /**
   * Make the file its own command line: `npx tsx my_flow.ts run --alpha 0.5`. Does nothing when the
   * file is imported (by the `flowship` CLI, a task process or a test).
   */
  run(): this {
    if (isMainModule(this)) {
      // Deferred so the module finishes evaluating before the CLI starts.
      setImmediate(() => {
        const cli = new URL("../cli/main.js", import.meta.url).href;
        // A computed specifier keeps bundlers from pulling the CLI into task bundles.
        import(cli).then((module: { runFromFlowFile(flow: FlowSpec, argv: string[]): Promise<void> }) =>
          module.runFromFlowFile(this, process.argv.slice(2)),
        );
      });
    }
    return this;
  }
}

/**
 * `next` as given → the steps that may follow, and for a map of cases, the cases themselves. A
 * map's steps are listed once each, in the order of their first case. What does not make sense
 * (a map without `condition`, a case that is not a step name) is left to the lint rules, which
 * report it with the step's file and line.
 */
function transitions(next: StepOptions["next"]): { next: string[]; cases?: Record<string, string> } {
  if (next === undefined) return { next: [] };
  if (typeof next === "string") return { next: [next] };
  if (Array.isArray(next)) return { next: [...next] };
  const cases = { ...(next as Record<string, string>) };
  return { next: [...new Set(Object.values(cases))], cases };
}

/**
 * The artifacts (parameters included) of a flow definition, for the Client API:
 * `Run.get<ArtifactsOf<typeof playlist>>("Playlist/123")` makes `await run.data?.movies` typed.
 */
export type ArtifactsOf<F> = F extends Flow<infer A, any, any> ? A : never;

/**
 * The names of a flow definition's steps, for the programmatic API's `resume({ step })`; any
 * string for a flow whose definition TypeScript does not see.
 */
export type StepsOf<F> = F extends { readonly "~steps"?: (step: infer S) => void }
  ? [S] extends [never]
    ? string
    : S & string
  : string;

/**
 * The parameters of a flow definition as a caller gives them: `{ alpha?: number }` for
 * `.parameter("alpha", { default: 0.1 })`, a required key for a required parameter without a
 * default. A flow without parameters takes none; a flow whose definition TypeScript does not see
 * (a file path) takes any.
 */
export type ParametersOf<F> = F extends { readonly "~parameters"?: infer P }
  ? [keyof P] extends [never]
    ? Record<string, never>
    : P
  : Record<string, unknown>;

/**
 * Start a flow.
 *
 * @example
 * export default flow("ParameterFlow")
 *   .parameter("alpha", { help: "learning rate", default: 0.1 })
 *   .step("start", (self) => console.log(`alpha is ${self.alpha}`), { next: "end" })
 *   .step("end", (self) => console.log(`alpha still is ${self.alpha}`))
 *   .run();
 */
export function flow<A extends Artifacts = Artifacts>(name: string): Flow<A> {
  const created = new Flow<A>(name, callerLocation(flow));
  registerFlow(created);
  return created;
}
