/**
 * The loops of a flow: a switch case that leads back to its own or an earlier step makes a
 * cycle. Each loop is a strongly connected part of the graph with one entry step, its header;
 * the edges into the header from inside the loop are its back edges, and loops found inside a
 * loop once its back edges are set aside are nested in it. Every iteration of a loop runs its
 * header again, so a loop's iteration count is what makes its tasks' ids unique.
 */
import type { FlowSpec } from "../flow/types.js";

export interface Loop {
  /** The one step where the loop is entered; it runs first in every iteration. */
  header: string;
  /** Every step of the loop, its header and nested loops included. */
  steps: ReadonlySet<string>;
  /** The header of the loop this one is nested in. */
  parent?: string;
}

export type LoopIssue =
  | { kind: "no-exit"; cycle: string[]; hasSwitch: boolean }
  | { kind: "several-entries"; cycle: string[]; entries: string[] };

/** Tarjan's strongly connected components of the steps in `within`, following `next`. */
function components(within: ReadonlySet<string>, next: (name: string) => readonly string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let counter = 0;
  const visit = (name: string) => {
    index.set(name, counter);
    low.set(name, counter++);
    stack.push(name);
    onStack.add(name);
    for (const target of next(name)) {
      if (!within.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(name, Math.min(low.get(name)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(name, Math.min(low.get(name)!, index.get(target)!));
      }
    }
    if (low.get(name) === index.get(name)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== name);
      found.push(component.reverse());
    }
  };
  for (const name of within) if (!index.has(name)) visit(name);
  return found;
}

/** A path around the loop from its header back to it, for messages: `a -> b -> a`. */
function cycleThrough(header: string, steps: ReadonlySet<string>, next: (name: string) => readonly string[]) {
  const previous = new Map<string, string>();
  const queue = [header];
  while (queue.length > 0) {
    const name = queue.shift()!;
    for (const target of next(name)) {
      if (target === header) {
        const path = [name];
        while (path[0] !== header) path.unshift(previous.get(path[0]!)!);
        return [...path, header];
      }
      if (steps.has(target) && !previous.has(target)) {
        previous.set(target, name);
        queue.push(target);
      }
    }
  }
  return [header, header];
}

/**
 * Finds the loops of a flow, outermost first, and what is wrong with them: a loop with no switch
 * case leading out of it never ends; a loop entered at several steps has no single place where an
 * iteration begins.
 */
export function findLoops(flow: FlowSpec): { loops: Loop[]; issues: LoopIssue[] } {
  const byName = new Map(flow.steps.map((s) => [s.name, s]));
  const prev = new Map<string, string[]>(flow.steps.map((s) => [s.name, []]));
  for (const step of flow.steps) for (const target of step.next) prev.get(target)?.push(step.name);
  const loops: Loop[] = [];
  const issues: LoopIssue[] = [];

  const search = (
    within: ReadonlySet<string>,
    skip: (from: string, to: string) => boolean,
    parent?: string,
  ) => {
    const next = (name: string) => (byName.get(name)?.next ?? []).filter((t) => !skip(name, t));
    for (const component of components(within, next)) {
      const steps = new Set(component);
      const only = component[0]!;
      if (component.length === 1 && !next(only).includes(only)) continue;
      const entries = component.filter((name) => (prev.get(name) ?? []).some((p) => !steps.has(p)));
      const header = entries.length === 1 ? entries[0]! : (entries[0] ?? component[0]!);
      const cycle = cycleThrough(header, steps, next);
      if (entries.length > 1) {
        issues.push({ kind: "several-entries", cycle, entries });
        continue;
      }
      const exits = component.some((name) => {
        const step = byName.get(name)!;
        return step.cases !== undefined && step.next.some((t) => !steps.has(t));
      });
      if (!exits) {
        issues.push({ kind: "no-exit", cycle, hasSwitch: component.some((n) => byName.get(n)?.cases) });
        continue;
      }
      loops.push({ header, steps, ...(parent ? { parent } : {}) });
      // Nested loops: the cycles left once this loop's back edges are set aside.
      search(steps, (from, to) => skip(from, to) || (to === header && steps.has(from)), header);
    }
  };
  search(new Set(byName.keys()), () => false);
  return { loops, issues };
}

/** Whether `from → to` goes back to the header of a loop `from` is in. */
export function isBackEdge(loops: readonly Loop[], from: string, to: string): boolean {
  return loops.some((loop) => loop.header === to && loop.steps.has(from));
}
