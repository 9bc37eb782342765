/**
 * The run's graph, laid out by dagre: a node per step, coloured by its state (succeeded,
 * failed, running, not reached), shaped by its type (a switch is a diamond-cornered box, a
 * foreach a stacked one), with its task count or foreach items; an edge per transition, loops
 * included.
 */
import dagre from "@dagrejs/dagre";
import { useMemo } from "preact/hooks";
import type { RunView } from "./api.js";
import { stepNote, stepState } from "./step-states.js";

const NODE_WIDTH = 150;
const NODE_HEIGHT = 44;
const SELF_LOOP_WIDTH = 90;

/** The case values of a switch that lead to `target` ("true", "a | b"), for its edge. */
function caseLabel(step: RunView["graph"][number], target: string): string | undefined {
  if (!step.cases) return undefined;
  const values = Object.entries(step.cases)
    .filter(([, to]) => to === target)
    .map(([value]) => value);
  return values.length > 0 ? values.join(" | ") : undefined;
}

/** Each node links to its task, or for a step of several tasks to its rows in the timeline. */
export function RunGraph({ view, stepHref }: { view: RunView; stepHref: (step: string) => string }) {
  const layout = useMemo(() => {
    const g = new dagre.graphlib.Graph({ multigraph: false });
    g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 36, marginx: 8, marginy: 8 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const step of view.graph) g.setNode(step.name, { width: NODE_WIDTH, height: NODE_HEIGHT });
    // A step that goes back to itself is drawn by hand, a loop on its right (dagre routes it badly).
    for (const step of view.graph) {
      for (const next of step.next) {
        if (next === step.name) continue;
        const label = caseLabel(step, next);
        g.setEdge(step.name, next, label ? { label, width: label.length * 6.5 + 8, height: 14 } : {});
      }
    }
    dagre.layout(g);
    const size = g.graph() as { width?: number; height?: number };
    const selfLoops = view.graph.filter((s) => s.next.includes(s.name)).map((s) => s.name);
    return {
      selfLoops,
      width: (size.width ?? 0) + (selfLoops.length > 0 ? SELF_LOOP_WIDTH : 0),
      height: size.height ?? 0,
      nodes: view.graph.map((step) => ({ step, box: g.node(step.name) as { x: number; y: number } })),
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
  }, [JSON.stringify(view.graph)]);
  return (
    <svg
      class="graph"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
    >
      <title>The steps of the run and how they connect</title>
      <defs>
        <marker
          id="arrow"
          viewBox="0 0 10 10"
          refX="9"
          refY="5"
          markerWidth="7"
          markerHeight="7"
          orient="auto"
        >
          <path d="M 0 0 L 10 5 L 0 10 z" fill="#8a94a6" />
        </marker>
      </defs>
      {layout.edges.map((edge) => (
        <polyline
          class="edge"
          points={edge.points.map((p) => `${p.x},${p.y}`).join(" ")}
          marker-end="url(#arrow)"
          data-edge={`${edge.v}->${edge.w}`}
        />
      ))}
      {layout.edges
        .filter((edge) => edge.label !== undefined)
        .map((edge) => (
          <text
            class="edge-label"
            x={edge.x}
            y={(edge.y ?? 0) + 4}
            text-anchor="middle"
            data-edge={`${edge.v}->${edge.w}`}
          >
            {edge.label}
          </text>
        ))}
      {layout.nodes
        .filter(({ step }) => layout.selfLoops.includes(step.name))
        .map(({ step, box }) => {
          const x = box.x + NODE_WIDTH / 2;
          return (
            <g data-edge={`${step.name}->${step.name}`}>
              <path
                class="edge"
                d={`M ${x} ${box.y - 10} C ${x + 34} ${box.y - 26}, ${x + 34} ${box.y + 26}, ${x + 2} ${box.y + 10}`}
                marker-end="url(#arrow)"
              />
              {caseLabel(step, step.name) ? (
                <text class="edge-label" x={x + 30} y={box.y - 18}>
                  {caseLabel(step, step.name)}
                </text>
              ) : null}
            </g>
          );
        })}
      {layout.nodes.map(({ step, box }) => {
        const state = stepState(view.steps[step.name]);
        const note = stepNote(view, step);
        return (
          <a href={stepHref(step.name)}>
            <g
              class={`node node-${state} node-type-${step.type}`}
              data-step={step.name}
              data-state={state}
              transform={`translate(${box.x - NODE_WIDTH / 2},${box.y - NODE_HEIGHT / 2})`}
            >
              {step.type === "foreach" ? (
                <rect class="stack" x="4" y="-4" width={NODE_WIDTH} height={NODE_HEIGHT} rx="6" />
              ) : null}
              <rect
                class="box"
                width={NODE_WIDTH}
                height={NODE_HEIGHT}
                rx={step.type === "switch" ? 16 : 6}
              />
              <text x={NODE_WIDTH / 2} y={note ? 18 : 27} text-anchor="middle" class="name">
                {step.name}
              </text>
              {note ? (
                <text x={NODE_WIDTH / 2} y={34} text-anchor="middle" class="note">
                  {note}
                </text>
              ) : null}
            </g>
          </a>
        );
      })}
    </svg>
  );
}
