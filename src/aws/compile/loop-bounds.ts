/**
 * For each loop of a flow, how many iterations fit in one Step Functions execution, as `step-functions
 * create` computes them. A local run (the CLI's and the programmatic Runner's alike) stops a loop there
 * too, so a loop that never ends is caught and one that ends locally ends deployed. The compiler is
 * pure: no AWS SDK is loaded, and a flow without loops loads nothing.
 */
import type { StepDecorator } from "../../flow/decorators.js";
import type { FlowGraph } from "../../graph/flow-graph.js";

/** Undefined for a flow without loops, or one that cannot be compiled for Step Functions. */
export async function loopIterationsThatFit(
  graph: FlowGraph,
  withDecorators: readonly StepDecorator[],
): Promise<Record<string, number> | undefined> {
  if (graph.loops.length === 0) return undefined;
  try {
    const { compileStateMachine } = await import("./compile-state-machine.js");
    const { loops } = compileStateMachine(graph, { withDecorators: [...withDecorators] });
    return Object.fromEntries(loops.map((loop) => [loop.header, loop.maxIterations]));
  } catch {
    // Not compilable for Step Functions: the runtime's default bound applies.
    return undefined;
  }
}
