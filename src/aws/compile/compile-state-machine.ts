/**
 * FlowGraph → Amazon States Language, with no network access. Each step is a Task state named
 * after the step; a static split is a Parallel state `<step>-split` whose branches run up to the
 * join; a foreach is a Task reading the item indices (`<step>-items`) and an inline Map
 * (`<step>-foreach`) whose iterations run the body up to the join. The join's Task follows the
 * Parallel or Map. See docs/step-functions-architecture.md.
 */
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
import { foreachItemsTask, foreachMapState } from "./foreach-states.js";
import { inputStates } from "./input-states.js";
import { checkLimits, type DefinitionStats } from "./limits.js";
import {
  checkStateName,
  foreachItemsStateName,
  foreachMapStateName,
  splitStateName,
  stateMachineName,
} from "./naming.js";
import { stepTaskStates } from "./step-task.js";

export interface CompiledStateMachine {
  /** The state machine name: `options.name` or the flow's name. */
  name: string;
  /** The definition to send to CreateStateMachine (as JSON text). */
  definition: StateMachineDefinition;
  /** Sizes and estimates, each already checked against its AWS limit. */
  stats: DefinitionStats;
}

interface Walk {
  graph: FlowGraph;
  flow: string;
  options: ResolvedCompileOptions;
  /** State names are unique across the whole state machine, nested scopes included. */
  names: Set<string>;
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

function addStep(walk: Walk, scope: StateGraph, node: GraphNode, next: string | undefined): void {
  for (const [name, state] of stepTaskStates(node, next, walk)) add(walk, scope, name, state, node.name);
}

/** The split step's Task, then a Parallel of its branches; the join comes next in the same scope. */
function addSplit(walk: Walk, scope: StateGraph, node: GraphNode): void {
  const join = node.matchingJoin!;
  addStep(walk, scope, node, splitStateName(node.name));
  const parallel = new ParallelState({
    comment: `The branches of split step '${node.name}'.`,
    branches: node.next.map((branch) => chain(walk, branch, join)),
    // The branches' outputs are dropped: the join finds its inputs from its task id.
    resultPath: null,
    next: join,
  });
  add(walk, scope, splitStateName(node.name), parallel, node.name);
}

/** The foreach step's Task, the Task reading its item indices, then the Map over its body. */
function addForeach(walk: Walk, scope: StateGraph, node: GraphNode): void {
  const join = node.matchingJoin!;
  const items = foreachItemsStateName(node.name);
  const map = foreachMapStateName(node.name);
  addStep(walk, scope, node, items);
  add(walk, scope, items, foreachItemsTask(walk.flow, node, walk.options, map), node.name);
  const body = chain(walk, node.next[0]!, join);
  add(walk, scope, map, foreachMapState(node, body, walk.options, join), node.name);
}

/**
 * The states from step `from` up to (not including) `stopAt`, the join that closes the enclosing
 * split or foreach; without `stopAt`, up to `end`. The last step of a scope ends it.
 */
function chain(walk: Walk, from: string, stopAt: string | undefined, scope = new StateGraph()): StateGraph {
  let current: string | undefined = from;
  while (current !== undefined && current !== stopAt) {
    const node: GraphNode = walk.graph.nodes.get(current)!;
    if (node.type === "split" || node.type === "foreach") {
      if (node.type === "split") addSplit(walk, scope, node);
      else addForeach(walk, scope, node);
      current = node.matchingJoin;
    } else {
      current = node.next[0];
      addStep(walk, scope, node, current === stopAt ? undefined : current);
    }
  }
  return scope;
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
  const name = stateMachineName(flow, resolved.name);
  const walk: Walk = { graph, flow, options: resolved, names: new Set() };
  const top = new StateGraph();
  for (const [stateName, state] of inputStates("start")) add(walk, top, stateName, state, "start");
  chain(walk, "start", undefined, top);
  const definition = new StateMachine({
    graph: top,
    comment: `Flow ${flow}, compiled by flowship.`,
    ...(resolved.workflowTimeoutSeconds === undefined
      ? {}
      : { timeoutSeconds: resolved.workflowTimeoutSeconds }),
  }).toJson();
  const stats = checkLimits({ definition, graph, options: resolved });
  return { name, definition, stats };
}
