/**
 * FlowSpec → FlowGraph: the steps as nodes with their kind, their predecessors, the split each
 * join closes and the splits each step sits inside. Built only from a flow that passed the lint
 * rules (`validateFlow`), so every lookup here is safe.
 */
import type { FlowSpec, StepSpec } from "../flow/types.js";

export const NODE_TYPES = ["linear", "split", "foreach", "join", "end"] as const;
export type NodeType = (typeof NODE_TYPES)[number];

export interface GraphNode {
  name: string;
  type: NodeType;
  next: readonly string[];
  prev: readonly string[];
  spec: StepSpec;
  /** For a join: the split or foreach step it closes. */
  joins?: string;
  /** For a split or foreach: the join that closes it. */
  matchingJoin?: string;
  /** The splits and foreaches enclosing this step, outermost first. */
  splitParents: readonly string[];
  /** How many foreaches enclose this step: the length of its tasks' foreach index path. */
  foreachDepth: number;
}

export interface FlowGraph {
  readonly flow: FlowSpec;
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Steps in an order where every step comes after all its predecessors. */
  readonly order: readonly string[];
}

export function nodeType(step: StepSpec): NodeType {
  if (step.name === "end") return "end";
  if (step.join) return "join";
  if (step.foreach !== undefined) return "foreach";
  if (step.next.length > 1) return "split";
  return "linear";
}

export function predecessors(flow: FlowSpec): Map<string, string[]> {
  const prev = new Map<string, string[]>(flow.steps.map((s) => [s.name, []]));
  for (const step of flow.steps) for (const target of step.next) prev.get(target)?.push(step.name);
  return prev;
}

/** Kahn's algorithm from `start`; steps on a cycle or unreachable are left out. */
export function topologicalOrder(flow: FlowSpec): string[] {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const prev = predecessors(flow);
  const remaining = new Map([...prev].map(([name, p]) => [name, p.length]));
  const order: string[] = [];
  const ready = byName.has("start") && remaining.get("start") === 0 ? ["start"] : [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const target of byName.get(name)?.next ?? []) {
      const left = (remaining.get(target) ?? 0) - 1;
      remaining.set(target, left);
      if (left === 0) ready.push(target);
    }
  }
  return order;
}

export interface SplitFrame {
  split: string;
  branch: string;
}

/**
 * Walks the steps in topological order carrying the stack of open splits. Reports through
 * `onIssue` and returns the stacks it could compute.
 */
export function splitStacks(
  flow: FlowSpec,
  order: readonly string[],
  onIssue: (kind: SplitIssue, step: string, detail: Record<string, string>) => void,
): Map<string, SplitFrame[]> {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const prev = predecessors(flow);
  const inStack = new Map<string, SplitFrame[]>();
  const outStacks = new Map<string, Map<string, SplitFrame[]>>(); // step -> successor -> stack
  const joined = new Map<string, string>();

  for (const name of order) {
    const step = byName.get(name)!;
    const sources = prev.get(name)!;
    let stack: SplitFrame[] = [];
    if (sources.length > 0) {
      const incoming = sources.map((p) => outStacks.get(p)?.get(name) ?? []);
      if (step.join) {
        const tops = incoming.map((s) => s.at(-1));
        const top = tops[0];
        if (!top) {
          onIssue("join-without-split", name, {});
          continue;
        }
        if (
          tops.some((t) => !t || t.split !== top.split) ||
          incoming.some((s) => s.length !== incoming[0]!.length)
        ) {
          onIssue("join-unrelated", name, { inputs: sources.join(", ") });
          continue;
        }
        const split = byName.get(top.split)!;
        const branches = tops.map((t) => t!.branch);
        const expected = split.next;
        if (branches.length !== expected.length || expected.some((b) => !branches.includes(b))) {
          onIssue("join-mismatch", name, {
            split: split.name,
            inputs: sources.join(", "),
            expected: expected.join(", "),
          });
          continue;
        }
        joined.set(split.name, name);
        stack = incoming[0]!.slice(0, -1);
      } else {
        if (sources.length > 1) {
          onIssue("not-a-join", name, { inputs: sources.join(", ") });
          continue;
        }
        stack = incoming[0]!;
      }
    }
    inStack.set(name, stack);
    const successors = new Map<string, SplitFrame[]>();
    const opens = step.foreach !== undefined || step.next.length > 1;
    for (const target of step.next) {
      successors.set(target, opens ? [...stack, { split: name, branch: target }] : stack);
    }
    outStacks.set(name, successors);
    if (name === "end" && stack.length > 0) {
      onIssue("unjoined-split", name, { splits: stack.map((f) => f.split).join(", ") });
    }
  }
  return inStack;
}

export type SplitIssue =
  | "join-without-split"
  | "join-unrelated"
  | "join-mismatch"
  | "not-a-join"
  | "unjoined-split";

/** Builds the graph of a flow that passed validation. */
export function buildGraph(flow: FlowSpec): FlowGraph {
  const order = topologicalOrder(flow);
  const prev = predecessors(flow);
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const joinsOf = new Map<string, string>();
  const stacks = splitStacks(flow, order, () => {});
  for (const name of order) {
    const step = byName.get(name)!;
    if (!step.join) continue;
    const source = prev.get(name)![0]!;
    const frames = name === source ? [] : stackAfter(stacks, byName, source, name);
    const top = frames.at(-1);
    if (top) joinsOf.set(name, top.split);
  }
  const nodes = new Map<string, GraphNode>();
  for (const name of order) {
    const spec = byName.get(name)!;
    const stack = stacks.get(name) ?? [];
    const joins = joinsOf.get(name);
    const matchingJoin = [...joinsOf].find(([, split]) => split === name)?.[0];
    nodes.set(name, {
      name,
      type: nodeType(spec),
      next: spec.next,
      prev: prev.get(name)!,
      spec,
      ...(joins ? { joins } : {}),
      ...(matchingJoin ? { matchingJoin } : {}),
      splitParents: stack.map((f) => f.split),
      foreachDepth: stack.filter((f) => byName.get(f.split)!.foreach !== undefined).length,
    });
  }
  return { flow, nodes, order };
}

function stackAfter(
  stacks: Map<string, SplitFrame[]>,
  byName: Map<string, StepSpec>,
  source: string,
  target: string,
): SplitFrame[] {
  const stack = stacks.get(source) ?? [];
  const step = byName.get(source)!;
  return step.foreach !== undefined || step.next.length > 1
    ? [...stack, { split: source, branch: target }]
    : stack;
}
