/**
 * FlowGraph → Amazon States Language, with no network access. Each step is a Task state named
 * after the step; a static split is a Parallel state `<step>-split` whose branches run up to the
 * join; a foreach is a Map (`<step>-foreach`) whose iterations run the body up to the join,
 * inline after a Task reading the item indices (`<step>-items`), or distributed (foreach-plan.ts
 * says which). The join's Task follows the Parallel or Map. See docs/step-functions-architecture.md.
 */
import type { StepDecorator } from "../../flow/decorators.js";
import type { FlowGraph, GraphNode } from "../../graph/flow-graph.js";
import { ParallelState } from "../asl/parallel-state.js";
import type { AslState } from "../asl/state.js";
import { StateGraph } from "../asl/state-graph.js";
import { StateMachine, type StateMachineDefinition } from "../asl/state-machine.js";
import {
  type ResolvedCompileOptions,
  resolveCompileOptions,
  type StepFunctionsCompileOptions,
} from "./compile-options.js";
import { StepFunctionsNameError } from "./errors.js";
import { checkFargateResources } from "./fargate-resources.js";
import {
  type ForeachChoice,
  type ForeachPlan,
  initialChoices,
  inlineTooNarrow,
  planForeaches,
} from "./foreach-plan.js";
import { bodyExecutionName, foreachItemsTask, foreachMapState } from "./foreach-states.js";
import { inputStates } from "./input-states.js";
import { checkLimits, type DefinitionStats } from "./limits.js";
import { type LoopPlan, planLoops } from "./loop-history.js";
import { edgeTarget, loopCountStates } from "./loop-states.js";
import {
  checkStateName,
  foreachItemsStateName,
  foreachMapStateName,
  splitStateName,
  stateMachineName,
} from "./naming.js";
import { resumeStates } from "./resume-states.js";
import { stepDecorators, stepTaskStates } from "./step-task.js";
import { readCaseStateName, switchStates } from "./switch-states.js";
import { EXECUTION_NAME, type ExecutionNamePath } from "./task-environment.js";

export interface CompiledStateMachine {
  /** The state machine name: `options.name` or the flow's name. */
  name: string;
  /** The definition to send to CreateStateMachine (as JSON text). */
  definition: StateMachineDefinition;
  /** Sizes and estimates, each already checked against its AWS limit. */
  stats: DefinitionStats;
  /** How each foreach runs and how wide it may be, in the order of the definition. */
  foreaches: ForeachPlan[];
  /** How many iterations of each loop fit in its execution's history. */
  loops: LoopPlan[];
}

interface Walk {
  graph: FlowGraph;
  flow: string;
  options: ResolvedCompileOptions;
  /** State names are unique across the whole state machine, nested scopes included. */
  names: Set<string>;
  choices: ReadonlyMap<string, ForeachChoice>;
  /** Known once a first pass has measured the definition. */
  plans?: ReadonlyMap<string, ForeachPlan>;
  /** The step of each foreach's Map state. */
  mapSteps: Map<string, string>;
}

function add(walk: Walk, scope: StateGraph, name: string, state: AslState, step: string): void {
  checkStateName(name, { flow: walk.flow, step });
  if (walk.names.has(name)) {
    throw new StepFunctionsNameError({
      kind: "state",
      name,
      rule: "state names must be unique",
      flow: walk.flow,
      step,
      remedy: "Rename the step",
    });
  }
  walk.names.add(name);
  scope.add(name, state);
}

function addStep(
  walk: Walk,
  scope: StateGraph,
  node: GraphNode,
  next: string | undefined,
  executionName: ExecutionNamePath,
): void {
  const foreach = walk.plans?.get(node.name);
  const context = {
    ...walk,
    executionName,
    keepsInput: walk.graph.loops.length > 0,
    ...(foreach ? { foreach } : {}),
  };
  for (const [name, state] of stepTaskStates(node, next, context)) add(walk, scope, name, state, node.name);
}

/** The split step's Task, then a Parallel of its branches; the join comes next in the same scope. */
function addSplit(walk: Walk, scope: StateGraph, node: GraphNode, executionName: ExecutionNamePath): void {
  const join = node.matchingJoin!;
  addStep(walk, scope, node, splitStateName(node.name), executionName);
  const parallel = new ParallelState({
    comment: `The branches of split step '${node.name}'.`,
    branches: node.next.map((branch) => chain(walk, branch, join, executionName)),
    // The branches' outputs are dropped: the join finds its inputs from its task id.
    resultPath: null,
    next: join,
  });
  add(walk, scope, splitStateName(node.name), parallel, node.name);
}

/**
 * The foreach step's Task, then the Map over its body: inline after the Task reading its item
 * indices; distributed, the Map reads them itself.
 */
function addForeach(walk: Walk, scope: StateGraph, node: GraphNode, executionName: ExecutionNamePath): void {
  const join = node.matchingJoin!;
  const mode = walk.choices.get(node.name)!.mode;
  const items = foreachItemsStateName(node.name);
  const map = foreachMapStateName(node.name);
  const foreachScope = { flow: walk.flow, options: walk.options, executionName };
  addStep(walk, scope, node, mode === "inline" ? items : map, executionName);
  if (mode === "inline") add(walk, scope, items, foreachItemsTask(node, foreachScope, map), node.name);
  const body = chain(walk, node.next[0]!, join, bodyExecutionName(mode, executionName));
  add(walk, scope, map, foreachMapState(node, foreachScope, mode, body, join), node.name);
  walk.mapSteps.set(map, node.name);
}

/**
 * The states of the steps from `from` up to (not including) `stopAt`, the join that closes the
 * enclosing split or foreach; without `stopAt`, up to `end`. A step leading to `stopAt` ends the
 * scope. After a switch the walk follows every case; where they meet, or a case goes back (a
 * loop), the states already added are reused: a loop stays inside one scope (lint rules).
 */
function chain(
  walk: Walk,
  from: string,
  stopAt: string | undefined,
  executionName: ExecutionNamePath,
  scope = new StateGraph(),
): StateGraph {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current === stopAt || seen.has(current)) continue;
    seen.add(current);
    const node: GraphNode = walk.graph.nodes.get(current)!;
    // A loop's header: the Pass states counting its iterations come first, so a scope that
    // begins with a loop begins by entering it.
    if (walk.graph.loops.some((l) => l.header === current)) {
      for (const [name, state] of loopCountStates(current)) add(walk, scope, name, state, current);
    }
    if (node.type === "split" || node.type === "foreach") {
      if (node.type === "split") addSplit(walk, scope, node, executionName);
      else addForeach(walk, scope, node, executionName);
      queue.push(node.matchingJoin!);
    } else if (node.type === "switch") {
      addStep(walk, scope, node, readCaseStateName(current), executionName);
      const states = switchStates(walk.graph, node, {
        flow: walk.flow,
        options: walk.options,
        executionName,
      });
      for (const [name, state] of states) add(walk, scope, name, state, current);
      queue.push(...node.next);
    } else {
      const next = node.next[0];
      addStep(
        walk,
        scope,
        node,
        next === undefined || next === stopAt ? undefined : edgeTarget(walk.graph, current, next),
        executionName,
      );
      if (next !== undefined) queue.push(next);
    }
  }
  return scope;
}

interface Built {
  definition: StateMachineDefinition;
  mapSteps: Map<string, string>;
}

function build(
  graph: FlowGraph,
  options: ResolvedCompileOptions,
  choices: ReadonlyMap<string, ForeachChoice>,
  plans?: ReadonlyMap<string, ForeachPlan>,
): Built {
  const flow = graph.flow.name;
  const walk: Walk = {
    graph,
    flow,
    options,
    names: new Set(),
    choices,
    mapSteps: new Map(),
    ...(plans ? { plans } : {}),
  };
  const top = new StateGraph();
  for (const [stateName, state] of inputStates("start")) add(walk, top, stateName, state, "start");
  chain(walk, "start", undefined, EXECUTION_NAME.context, top);
  for (const [stateName, state] of resumeStates(graph, walk)) add(walk, top, stateName, state, "start");
  const definition = new StateMachine({
    graph: top,
    // No Comment: the state machine's name already says the flow, and a two-step flow's definition
    // stays within 2 KB a step (bench row 5) only without such fixed bytes.
    ...(options.workflowTimeoutSeconds === undefined
      ? {}
      : { timeoutSeconds: options.workflowTimeoutSeconds }),
  }).toJson();
  return { definition, mapSteps: walk.mapSteps };
}

/**
 * Decides each foreach's mode and width: in `auto` mode an inline foreach that cannot hold
 * `maxForeachWidth` items becomes distributed, outermost first, until every one fits.
 */
function planAll(graph: FlowGraph, options: ResolvedCompileOptions): Map<string, ForeachPlan> {
  const flow = graph.flow.name;
  const choices = initialChoices(graph, options);
  for (;;) {
    const { definition, mapSteps } = build(graph, options, choices);
    const { plans, tooNarrow } = planForeaches({
      definitionStates: definition.States,
      mapSteps,
      choices,
      options,
      flow,
    });
    if (tooNarrow === undefined) return new Map(plans.map((p) => [p.step, p]));
    const plan = plans.find((p) => p.step === tooNarrow)!;
    const wanted = options.maxForeachWidth!;
    if (options.distributedMap === "never") throw inlineTooNarrow(flow, plan, wanted);
    choices.set(tooNarrow, {
      mode: "distributed",
      reason: `--max-foreach-width ${wanted} is more than the ${plan.maxWidth.toLocaleString("en-US")} items an inline Map could hold in its execution's history`,
    });
  }
}

/**
 * Compiles a validated flow graph into a state machine definition.
 *
 * @example
 * const { definition } = compileStateMachine(validateFlow(myFlow), { jobQueue: "flows" });
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
export function compileStateMachine(
  graph: FlowGraph,
  options: StepFunctionsCompileOptions = {},
): CompiledStateMachine {
  const flow = graph.flow.name;
  const resolved = resolveCompileOptions(options, flow);
  if (resolved.compute === "fargate") {
    // Every step Fargate cannot run is named at once, before the first one stops the compiler.
    checkFargateResources(
      flow,
      [...graph.nodes.values()].map((node) => ({
        step: node.name,
        resources: stepDecorators(node, resolved.withDecorators).find(
          (d): d is Extract<StepDecorator, { kind: "resources" }> => d.kind === "resources",
        )?.options,
      })),
    );
  }
  const name = stateMachineName(flow, resolved.name);
  const plans = planAll(graph, resolved);
  const choices = new Map([...plans].map(([step, plan]) => [step, plan as ForeachChoice]));
  const { definition } = build(graph, resolved, choices, plans);
  const foreaches = [...plans.values()];
  const stats = checkLimits({ definition, graph, options: resolved, foreaches });
  return { name, definition, stats, foreaches, loops: planLoops(definition.States, graph) };
}
