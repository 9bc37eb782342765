/**
 * 5 and 6: the compiled state machines. Definition bytes per step for every example and a
 * 300-step flow, against Metaflow's ≈ 11 KB per step (89,916 bytes for an 8-step flow); and the
 * state transitions AWS would bill per run, counted by the simulator, against one transition per
 * task the run needs; and what one more foreach item costs in transitions, inline and distributed,
 * against Metaflow's compiled design for the same flow.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { compileStepFunctions } from "../../src/aws/compile/compile-step-functions.js";
import { simulateExecution } from "../../src/aws/simulate/simulate.js";
import { LocalStorage } from "../../src/datastore/backends/local.js";
import { flow } from "../../src/flow/flow-builder.js";
import type { FlowSpec } from "../../src/flow/types.js";
import { validateFlow } from "../../src/graph/validate.js";
import { compileFlow } from "../../src/run/compile-flow.js";
import type { Row } from "../measure.js";

export const EXAMPLES = [
  "parameter_flow",
  "hourly_flow",
  "branch_flow",
  "foreach_flow",
  "nested_foreach_flow",
  "resilient_flow",
];
const METAFLOW_BYTES_PER_STEP = 89_916 / 8;

function linearFlow(steps: number): FlowSpec {
  let built = flow("Linear300").step("start", () => {}, { next: "s1" });
  for (let i = 1; i < steps - 1; i++)
    built = built.step(`s${i}`, () => {}, { next: i === steps - 2 ? "end" : `s${i + 1}` });
  return built.step("end", () => {});
}

export async function exampleFlow(name: string): Promise<FlowSpec> {
  return ((await import(pathToFileURL(path.resolve("examples", `${name}.ts`)).href)) as { default: FlowSpec })
    .default;
}

export async function stateMachineSize(): Promise<Row[]> {
  const rows: Row[] = [];
  const flows: [string, FlowSpec][] = [];
  for (const name of EXAMPLES) flows.push([name, await exampleFlow(name)]);
  flows.push(["300-step linear flow", linearFlow(300)]);
  for (const [name, spec] of flows) {
    const { stats } = compileStepFunctions(spec, { jobQueue: "q", datastoreRoot: "s3://bucket/flowship" });
    rows.push({
      id: 5,
      benchmark: "state machine size",
      figure: `${name}: definition bytes per step (${stats.definitionBytes} B total)`,
      value: stats.bytesPerStep,
      unit: "B/step",
      baseline: "Metaflow, bytes per step",
      baselineValue: METAFLOW_BYTES_PER_STEP,
      ratio: stats.bytesPerStep / METAFLOW_BYTES_PER_STEP,
      target: "≤ 2 KB per step; never near 1 MB",
      met: stats.bytesPerStep <= 2048 && stats.definitionBytes < 1_048_576 / 2,
    });
  }
  return rows;
}

/**
 * Transitions Metaflow's compiled state machine spends per foreach item (its step_functions.py):
 * inline, one per body step; with `--use-distributed-map`, also a second Distributed Map that
 * re-reads the first one's results from S3 with one Pass state (one child execution) per item.
 */
const METAFLOW_PER_ITEM = { inline: 1, distributed: 2 } as const;

async function simulateExample(
  root: string,
  name: string,
  parameters: Record<string, unknown> = {},
  extra: { distributedMap?: "always" | "never"; maxWorkers?: number } = {},
) {
  const spec = await exampleFlow(name);
  const graph = validateFlow(spec);
  const compiled = await compileFlow({
    file: path.resolve("examples", `${name}.ts`),
    outDir: path.join(root, "_code"),
    withS3: true,
  });
  const result = await simulateExecution({
    graph,
    compiled,
    storage: new LocalStorage({ root }),
    datastoreRoot: root,
    input: { Parameters: JSON.stringify(parameters) },
    token: "bench",
    executionName: `bench-${name}-${Date.now()}`,
    retryIntervalScale: 0.001,
    print: () => {},
    ...extra,
  });
  if (result.status !== "SUCCEEDED") throw new Error(`${name}: ${result.error}`);
  return { graph, result };
}

/** Transitions one more item of ForeachFlow's foreach costs: the slope between two widths. */
async function foreachItemCost(root: string, quick: boolean): Promise<Row[]> {
  const [narrow, wide] = quick ? [2, 6] : [10, 40];
  const rows: Row[] = [];
  for (const mode of ["inline", "distributed"] as const) {
    const extra =
      mode === "inline"
        ? { distributedMap: "never" as const, maxWorkers: 10 }
        : { distributedMap: "always" as const };
    const a = await simulateExample(root, "foreach_flow", { count: narrow }, extra);
    const b = await simulateExample(root, "foreach_flow", { count: wide }, extra);
    const perItem = (b.result.transitions - a.result.transitions) / (wide - narrow);
    rows.push({
      id: 6,
      benchmark: "state transitions",
      figure: `foreach_flow, ${mode} Map: transitions per foreach item (${narrow} vs ${wide} items)`,
      value: perItem,
      unit: "transitions/item",
      baseline: "Metaflow's compiled design for the same flow",
      baselineValue: METAFLOW_PER_ITEM[mode],
      ratio: perItem / METAFLOW_PER_ITEM[mode],
      target: "no more than Metaflow per item",
      met: perItem <= METAFLOW_PER_ITEM[mode],
      note: `${a.result.transitions} and ${b.result.transitions} transitions per run`,
    });
  }
  return rows;
}

export async function stateTransitions(options: { quick: boolean }): Promise<Row[]> {
  const rows: Row[] = [];
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "flowship-bench-sfn-"));
  const names = options.quick ? ["parameter_flow", "foreach_flow"] : EXAMPLES;
  for (const name of names) {
    const { graph, result } = await simulateExample(root, name);
    rows.push({
      id: 6,
      benchmark: "state transitions",
      figure: `${name}: transitions per run (${result.jobs} Batch jobs, ${graph.order.length} steps)`,
      value: result.transitions,
      unit: "transitions",
      baseline: "one per task the run needs",
      baselineValue: result.jobs,
      ratio: result.transitions / result.jobs,
      target: "report overhead per step; no state that does no work",
      met: null,
      note: `overhead ${((result.transitions - result.jobs) / graph.order.length).toFixed(2)} per step`,
    });
  }
  rows.push(...(await foreachItemCost(root, options.quick)));
  fs.rmSync(root, { recursive: true, force: true });
  return rows;
}
