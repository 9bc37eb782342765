/**
 * FlowSpec → FlowGraph: the steps as nodes with their kind, their predecessors, the split each
 * join closes and the splits each step sits inside. Built only from a flow that passed the lint
 * rules (`validateFlow`), so every lookup here is safe.
 */
import type { FlowSpec, StepSpec } from "../flow/types.js";
import { findLoops, isBackEdge, type Loop } from "./loops.js";

export const NODE_TYPES = ["linear", "split", "foreach", "switch", "join", "end"] as const;
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
  /**
   * The headers of the loops this step is in, outermost first, leaving out loops around the
   * foreach it sits in (their iteration is already in its foreach's task id). Its task ids carry
   * one iteration number per loop: `0-3` is the fourth iteration of a loop at the top.
   */
  loops: readonly string[];
  /** For a join of a static split: the branch (index in the split's `next`) each input step is in. */
  inputBranches?: Readonly<Record<string, number>>;
}

export interface FlowGraph {
  readonly flow: FlowSpec;
  readonly nodes: ReadonlyMap<string, GraphNode>;
  /** Steps in an order where every step comes after all its predecessors, back edges aside. */
  readonly order: readonly string[];
  /** The loops, outermost first. */
  readonly loops: readonly Loop[];
}

export function nodeType(step: StepSpec): NodeType {
  if (step.name === "end") return "end";
  if (step.join) return "join";
  if (step.foreach !== undefined) return "foreach";
  if (step.cases !== undefined) return "switch";
  if (step.next.length > 1) return "split";
  return "linear";
}

/** Whether the step opens branches that a join closes: a static split or a foreach (not a switch). */
export function opensSplit(step: StepSpec): boolean {
  return step.foreach !== undefined || (step.next.length > 1 && step.cases === undefined);
}

export function predecessors(flow: FlowSpec): Map<string, string[]> {
  const prev = new Map<string, string[]>(flow.steps.map((s) => [s.name, []]));
  for (const step of flow.steps) for (const target of step.next) prev.get(target)?.push(step.name);
  return prev;
}

/**
 * Kahn's algorithm from `start` with the loops' back edges set aside; steps on a loop the lint
 * rules refuse, or unreachable, are left out.
 */
export function topologicalOrder(flow: FlowSpec, loops = findLoops(flow).loops): string[] {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const prev = forwardPredecessors(flow, loops);
  const remaining = new Map([...prev].map(([name, p]) => [name, p.length]));
  const order: string[] = [];
  const ready = byName.has("start") && remaining.get("start") === 0 ? ["start"] : [];
  while (ready.length > 0) {
    const name = ready.shift()!;
    order.push(name);
    for (const target of byName.get(name)?.next ?? []) {
      if (isBackEdge(loops, name, target)) continue;
      const left = (remaining.get(target) ?? 0) - 1;
      remaining.set(target, left);
      if (left === 0) ready.push(target);
    }
  }
  return order;
}

/** Each step's predecessors, without the back edges of loops. */
function forwardPredecessors(flow: FlowSpec, loops: readonly Loop[]): Map<string, string[]> {
  const prev = predecessors(flow);
  for (const [name, sources] of prev) {
    prev.set(
      name,
      sources.filter((source) => !isBackEdge(loops, source, name)),
    );
  }
  return prev;
}

function sameStack(a: readonly SplitFrame[], b: readonly SplitFrame[]): boolean {
  return a.length === b.length && a.every((f, i) => f.split === b[i]!.split && f.branch === b[i]!.branch);
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
  onIssue: OnSplitIssue,
  loops = findLoops(flow).loops,
): Map<string, SplitFrame[]> {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const prev = forwardPredecessors(flow, loops);
  const inStack = new Map<string, SplitFrame[]>();
  const outStacks = new Map<string, Map<string, SplitFrame[]>>(); // step -> successor -> stack

  for (const name of order) {
    const step = byName.get(name)!;
    const sources = prev.get(name)!;
    let stack: SplitFrame[] = [];
    if (sources.length > 0) {
      const incoming = sources.map((p) => outStacks.get(p)?.get(name) ?? []);
      const entered = enteredStack(step, sources, incoming, byName, onIssue);
      if (!entered) continue;
      stack = entered;
    }
    inStack.set(name, stack);
    const successors = new Map<string, SplitFrame[]>();
    const opens = opensSplit(step);
    for (const target of step.next) {
      successors.set(target, opens ? [...stack, { split: name, branch: target }] : stack);
    }
    outStacks.set(name, successors);
    if (name === "end" && stack.length > 0) {
      onIssue("unjoined-split", name, { splits: stack.map((f) => f.split).join(", ") });
    }
  }
  checkLoopStacks(loops, prev, inStack, outStacks, onIssue);
  return inStack;
}

type OnSplitIssue = (kind: SplitIssue, step: string, detail: Record<string, string>) => void;

/**
 * The stack a step with predecessors starts with, from the stacks they hand it (`incoming`, in the
 * order of `sources`): a join closes the innermost split, any other step must get one stack from
 * all. Undefined once the issue that leaves it without one is reported.
 */
function enteredStack(
  step: StepSpec,
  sources: readonly string[],
  incoming: readonly SplitFrame[][],
  byName: ReadonlyMap<string, StepSpec>,
  onIssue: OnSplitIssue,
): SplitFrame[] | undefined {
  const name = step.name;
  if (!step.join) {
    // Paths that leave a switch meet again without a join: only one of them ran. Paths
    // from different branches of a split both run, so they need one.
    if (incoming.some((s) => !sameStack(s, incoming[0]!))) {
      onIssue("not-a-join", name, { inputs: sources.join(", ") });
      return undefined;
    }
    return incoming[0]!;
  }
  const tops = incoming.map((s) => s.at(-1));
  const top = tops[0];
  if (!top) {
    onIssue("join-without-split", name, {});
    return undefined;
  }
  if (
    tops.some((t) => !t || t.split !== top.split) ||
    incoming.some((s) => s.length !== incoming[0]!.length)
  ) {
    onIssue("join-unrelated", name, { inputs: sources.join(", ") });
    return undefined;
  }
  const split = byName.get(top.split)!;
  // After a switch inside a branch, several steps of one branch may lead to the join.
  const branches = new Set(tops.map((t) => t!.branch));
  const expected = split.next;
  if (branches.size !== expected.length || expected.some((b) => !branches.has(b))) {
    onIssue("join-mismatch", name, {
      split: split.name,
      inputs: sources.join(", "),
      expected: expected.join(", "),
    });
    return undefined;
  }
  return incoming[0]!.slice(0, -1);
}

/** A loop goes back to its header from inside the same split or foreach it started in. */
function checkLoopStacks(
  loops: readonly Loop[],
  prev: ReadonlyMap<string, string[]>,
  inStack: ReadonlyMap<string, SplitFrame[]>,
  outStacks: ReadonlyMap<string, Map<string, SplitFrame[]>>,
  onIssue: OnSplitIssue,
): void {
  for (const loop of loops) {
    const header = inStack.get(loop.header);
    for (const from of prev.keys()) {
      if (!isBackEdge([loop], from, loop.header)) continue;
      const out = outStacks.get(from)?.get(loop.header);
      if (header && out && !sameStack(header, out)) {
        const inner = out.find((f, i) => header[i]?.split !== f.split || header[i]?.branch !== f.branch);
        onIssue("loop-leaves-split", from, { header: loop.header, split: inner?.split ?? "" });
      }
    }
  }
}

export type SplitIssue =
  | "join-without-split"
  | "join-unrelated"
  | "join-mismatch"
  | "not-a-join"
  | "unjoined-split"
  | "loop-leaves-split";

/** Builds the graph of a flow that passed validation. */
export function buildGraph(flow: FlowSpec): FlowGraph {
  const { loops } = findLoops(flow);
  const order = topologicalOrder(flow, loops);
  const prev = predecessors(flow);
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const joinsOf = new Map<string, string>();
  const inputBranches = new Map<string, Record<string, number>>();
  const stacks = splitStacks(flow, order, () => {}, loops);
  for (const name of order) {
    const step = byName.get(name)!;
    if (!step.join) continue;
    const branches: Record<string, number> = {};
    for (const source of prev.get(name)!) {
      const top = stackAfter(stacks, byName, source, name).at(-1);
      if (!top) continue;
      joinsOf.set(name, top.split);
      branches[source] = byName.get(top.split)!.next.indexOf(top.branch);
    }
    if (byName.get(joinsOf.get(name) ?? "")?.foreach === undefined) inputBranches.set(name, branches);
  }
  const nodes = new Map<string, GraphNode>();
  for (const name of order) {
    const spec = byName.get(name)!;
    const stack = stacks.get(name) ?? [];
    const joins = joinsOf.get(name);
    const matchingJoin = [...joinsOf].find(([, split]) => split === name)?.[0];
    const foreachParent = stack.filter((f) => byName.get(f.split)!.foreach !== undefined).at(-1)?.split;
    const branches = inputBranches.get(name);
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
      loops: loops
        .filter((l) => l.steps.has(name) && !(foreachParent && l.steps.has(foreachParent)))
        .map((l) => l.header),
      ...(branches ? { inputBranches: branches } : {}),
    });
  }
  return { flow, nodes, order, loops };
}

function stackAfter(
  stacks: Map<string, SplitFrame[]>,
  byName: Map<string, StepSpec>,
  source: string,
  target: string,
): SplitFrame[] {
  const stack = stacks.get(source) ?? [];
  const step = byName.get(source)!;
  return opensSplit(step) ? [...stack, { split: source, branch: target }] : stack;
}
