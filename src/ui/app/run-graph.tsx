/**
 * The run's graph, laid out by dagre: a node per step, as wide as its name, coloured by its
 * state (step-states.ts), shaped by its type (a switch is a round-cornered box, a foreach a
 * stacked one with its items' breakdown), with its task count or foreach items; an edge per
 * transition, loops included, a switch's edges labelled with their cases. A node links to its
 * task, or for a step of several tasks to its group in the timeline; a step never reached links
 * nowhere.
 */
import { useMemo } from "preact/hooks";
import type { RunView } from "./api.js";
import { caseLabel, type GraphLayout, layoutRunGraph, SELF_LOOP_REACH } from "./graph-layout.js";
import { type StepState, stepNotes } from "./step-states.js";

const LINE = 15;

let measurer: CanvasRenderingContext2D | null | undefined;
/** The width text takes in `font`, as the browser draws it (a rough guess without a canvas). */
function textWidth(text: string, font: string): number {
  measurer ??= document.createElement("canvas").getContext("2d");
  if (!measurer) return text.length * 8;
  measurer.font = font;
  return measurer.measureText(text).width;
}

interface Props {
  view: RunView;
  states: Map<string, StepState>;
  stepHref: (step: string) => string;
}

type LaidOutNode = GraphLayout["nodes"][number];

/** The arrowhead every edge ends with. */
function ArrowMarker() {
  return (
    <defs>
      <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto">
        <path d="M 0 0 L 10 5 L 0 10 z" fill="#6b7486" />
      </marker>
    </defs>
  );
}

/** The edges dagre routed, then their labels (drawn after every edge, so no edge crosses a label). */
function Edges({ edges }: { edges: GraphLayout["edges"] }) {
  return (
    <>
      {edges.map((edge) => (
        <polyline
          class="edge"
          points={edge.points.map((p) => `${p.x},${p.y}`).join(" ")}
          marker-end="url(#arrow)"
          data-edge={`${edge.v}->${edge.w}`}
        />
      ))}
      {edges
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
    </>
  );
}

/** A step that goes back to itself: a loop drawn by hand on its node's right, with its cases. */
function SelfLoop({ step, size, box }: LaidOutNode) {
  const x = box.x + size.width / 2;
  const label = caseLabel(step, step.name);
  return (
    <g data-edge={`${step.name}->${step.name}`}>
      <path
        class="edge"
        d={`M ${x} ${box.y - 10} C ${x + SELF_LOOP_REACH} ${box.y - 26}, ${x + SELF_LOOP_REACH} ${box.y + 26}, ${x + 2} ${box.y + 10}`}
        marker-end="url(#arrow)"
      />
      {/* Beside the loop's far side, where no other edge passes. */}
      {label ? (
        <text
          class="edge-label"
          x={x + SELF_LOOP_REACH * 0.75 + 6}
          y={box.y + 4}
          data-edge={`${step.name}->${step.name}`}
        >
          {label}
        </text>
      ) : null}
    </g>
  );
}

/** A step's node: its box (stacked for a foreach), its name and its notes, a link unless never reached. */
function StepNode(props: LaidOutNode & { state: StepState; lines: readonly string[]; href: string }) {
  const { step, size, box, state, lines } = props;
  const top = size.height / 2 - ((lines.length + 1) * LINE) / 2 + 11;
  const node = (
    <g
      class={`node node-${state} node-type-${step.type}`}
      data-step={step.name}
      data-state={state}
      transform={`translate(${box.x - size.width / 2},${box.y - size.height / 2})`}
    >
      <title>{`${step.name}: ${state}${lines.length > 0 ? ` (${lines.join("; ")})` : ""}`}</title>
      {step.type === "foreach" ? (
        <rect class="stack" x="4" y="-4" width={size.width} height={size.height} rx="6" />
      ) : null}
      <rect class="box" width={size.width} height={size.height} rx={step.type === "switch" ? 16 : 6} />
      <text x={size.width / 2} y={top} text-anchor="middle" class="name">
        {step.name}
      </text>
      {lines.map((line, i) => (
        <text
          x={size.width / 2}
          y={top + (i + 1) * LINE}
          text-anchor="middle"
          class={i === 0 ? "note" : "note breakdown"}
        >
          {line}
        </text>
      ))}
    </g>
  );
  return state === "not-reached" ? node : <a href={props.href}>{node}</a>;
}

export function RunGraph({ view, states, stepHref }: Props) {
  const notes = new Map(view.graph.map((step) => [step.name, stepNotes(view, step)]));
  const layout = useMemo(
    () => layoutRunGraph(view.graph, notes, textWidth),
    [JSON.stringify(view.graph), JSON.stringify([...notes.values()].map((l) => l[0]))],
  );
  return (
    <svg
      class="graph"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
    >
      <title>The steps of the run and how they connect</title>
      <ArrowMarker />
      <Edges edges={layout.edges} />
      {layout.nodes
        .filter(({ step }) => step.next.includes(step.name))
        .map((node) => (
          <SelfLoop {...node} />
        ))}
      {layout.nodes.map((node) => {
        const state = states.get(node.step.name) ?? "not-reached";
        const lines = notes.get(node.step.name) ?? [];
        return <StepNode {...node} state={state} lines={lines} href={stepHref(node.step.name)} />;
      })}
    </svg>
  );
}
