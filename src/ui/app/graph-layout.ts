/**
 * Where the run graph's nodes and edges go (run-graph.tsx draws them): dagre lays out a node per
 * step, as wide as its name or its widest note, and an edge per transition, a switch's labelled
 * with its cases. A step that goes back to itself gets no dagre edge (dagre routes it badly): it is
 * drawn by hand, a loop on its right, which widens the drawing. Pure, given how wide text is, so
 * it runs without a browser.
 */
import dagre from "@dagrejs/dagre";
import type { RunView } from "../views.js";

type GraphStep = RunView["graph"][number];

const MIN_WIDTH = 120;
const PADDING = 28;
/** How far a self-loop reaches to the right of its node. */
export const SELF_LOOP_REACH = 36;
export const NAME_FONT = "600 13px system-ui, -apple-system, 'Segoe UI', sans-serif";
export const NOTE_FONT = "11px system-ui, -apple-system, 'Segoe UI', sans-serif";

/** The width `text` takes in `font`. */
export type MeasureText = (text: string, font: string) => number;

export interface GraphLayout {
  width: number;
  height: number;
  /** `box` is the node's centre. */
  nodes: { step: GraphStep; size: { width: number; height: number }; box: { x: number; y: number } }[];
  edges: {
    v: string;
    w: string;
    points: { x: number; y: number }[];
    label?: string;
    x?: number;
    y?: number;
  }[];
}

/** The case values of a switch that lead to `target` ("true", "a | b"), for its edge. */
export function caseLabel(step: GraphStep, target: string): string | undefined {
  if (!step.cases) return undefined;
  const values = Object.entries(step.cases)
    .filter(([, to]) => to === target)
    .map(([value]) => value);
  return values.length > 0 ? values.join(" | ") : undefined;
}

export function layoutRunGraph(
  graph: RunView["graph"],
  notes: ReadonlyMap<string, readonly string[]>,
  textWidth: MeasureText,
): GraphLayout {
  const g = new dagre.graphlib.Graph({ multigraph: false });
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const sizes = new Map<string, { width: number; height: number }>();
  for (const step of graph) {
    const lines = notes.get(step.name) ?? [];
    // Sized for the longest breakdown a foreach can show, so a growing one does not move the layout.
    const widest = Math.max(
      textWidth(step.name, NAME_FONT),
      ...lines.map((l) => textWidth(step.type === "foreach" ? `${l} · 0,000 pending` : l, NOTE_FONT)),
    );
    const height = step.type === "foreach" ? 56 : 44;
    const size = { width: Math.max(MIN_WIDTH, Math.ceil(widest) + PADDING), height };
    sizes.set(step.name, size);
    g.setNode(step.name, size);
  }
  for (const step of graph) {
    for (const next of step.next) {
      if (next === step.name) continue;
      const label = caseLabel(step, next);
      g.setEdge(step.name, next, label ? { label, width: textWidth(label, NOTE_FONT) + 10, height: 14 } : {});
    }
  }
  dagre.layout(g);
  const size = g.graph() as { width?: number; height?: number };
  const nodes = graph.map((step) => ({
    step,
    size: sizes.get(step.name)!,
    box: g.node(step.name) as { x: number; y: number },
  }));
  // The self-loops' reach and labels widen the drawing on the right.
  const right = Math.max(
    size.width ?? 0,
    ...nodes
      .filter(({ step }) => step.next.includes(step.name))
      .map(
        ({ step, size: s, box }) =>
          box.x +
          s.width / 2 +
          SELF_LOOP_REACH +
          6 +
          textWidth(caseLabel(step, step.name) ?? "", NOTE_FONT) +
          8,
      ),
  );
  return {
    width: Math.ceil(right),
    height: size.height ?? 0,
    nodes,
    edges: (g.edges() as { v: string; w: string }[]).map((e) => {
      const laid = g.edge(e) as {
        points: { x: number; y: number }[];
        label?: string;
        x?: number;
        y?: number;
      };
      return { ...e, points: laid.points, label: laid.label, x: laid.x, y: laid.y };
    }),
  };
}
