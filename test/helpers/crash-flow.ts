/** test/fixtures/flows/crash_flow.ts and exactly what each of its tasks stores. */

export const CRASH_FLOW = "test/fixtures/flows/crash_flow.ts";

const ITEMS = [1, 2, 3, 4];

/** The artifacts a successful run with `--scale <scale>` stores, task by task (`step/task`). */
export function crashFlowArtifacts(scale: number): Record<string, Record<string, unknown>> {
  const start = { scale, items: ITEMS, label: "crash" };
  const values = ITEMS.map((item) => item * scale + 100);
  const total = values.reduce((sum, value) => sum + value, 0);
  const shout = `CRASHx${scale}`;
  return {
    "start/0": start,
    "fan/0": { ...start, offset: 100 },
    ...Object.fromEntries(
      ITEMS.map((item, index) => [
        `work/${index}`,
        { ...start, offset: 100, value: values[index], samples: new Float64Array(2048).fill(item / scale) },
      ]),
    ),
    "gather/0": { scale, values },
    "side/0": { ...start, shout },
    "merge/0": { scale, total, shout },
    "end/0": { scale, total, shout, summary: `${shout}:${total}` },
  };
}
