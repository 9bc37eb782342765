/**
 * The graph as text for people (`show`), Mermaid and Graphviz DOT for pictures, JSON for tools.
 */
import type { FlowGraph, GraphNode } from "./flow-graph.js";

export const SHOW_FORMATS = ["text", "mermaid", "dot", "json"] as const;
export type ShowFormat = (typeof SHOW_FORMATS)[number];

/** A switch's cases by target: `{ loop_body: ["true"], exit: ["false"] }`, in case order. */
function casesByTarget(node: GraphNode): Map<string, string[]> {
  const byTarget = new Map<string, string[]>();
  for (const [value, target] of Object.entries(node.spec.cases ?? {})) {
    byTarget.set(target, [...(byTarget.get(target) ?? []), value]);
  }
  return byTarget;
}

/** The label of the edge `node → target`: a switch's case values, a foreach's variable. */
function edgeLabel(graph: FlowGraph, node: GraphNode, target: string): string | undefined {
  if (node.type === "foreach") return `foreach ${node.spec.foreach}`;
  if (node.type !== "switch") return undefined;
  const values = casesByTarget(node).get(target) ?? [];
  const loop = graph.loops.some((l) => l.header === target && l.steps.has(node.name)) ? " (loop)" : "";
  return `${node.spec.condition} = ${values.join(" | ")}${loop}`;
}

function describe(graph: FlowGraph, node: GraphNode): string {
  switch (node.type) {
    case "switch":
      return `switch on '${node.spec.condition}': ${[...casesByTarget(node)]
        .map(([target, values]) => {
          const loop = graph.loops.some((l) => l.header === target && l.steps.has(node.name));
          return `${values.join(" | ")} -> ${target}${loop ? " (loop)" : ""}`;
        })
        .join(", ")}`;
    case "split":
      return `split -> ${node.next.join(", ")}`;
    case "foreach":
      return `foreach '${node.spec.foreach}' -> ${node.next[0]}`;
    case "join":
      return `join of '${node.joins}' -> ${node.next.join(", ")}`;
    case "end":
      return "end";
    default:
      return `-> ${node.next.join(", ")}`;
  }
}

function decoratorText(node: GraphNode): string {
  return node.spec.decorators
    .map((d) => `${d.kind === "catch" ? "catchError" : d.kind}(${JSON.stringify(d.options)})`)
    .join(" ");
}

export function renderText(graph: FlowGraph): string {
  const lines: string[] = [`Flow ${graph.flow.name}`];
  for (const p of graph.flow.parameters) {
    const dflt = p.hasDefault
      ? ` [default: ${typeof p.default === "function" ? "<computed at run start>" : JSON.stringify(p.default)}]`
      : "";
    lines.push(
      `  parameter --${p.name} (${p.type})${p.required ? " [required]" : ""}${dflt}${p.help ? `  ${p.help}` : ""}`,
    );
  }
  for (const d of graph.flow.decorators) lines.push(`  @${d.kind} ${JSON.stringify(d.options)}`);
  lines.push("");
  for (const name of graph.order) {
    const node = graph.nodes.get(name)!;
    const indent = "  ".repeat(node.splitParents.length);
    const decorators = decoratorText(node);
    lines.push(`${indent}Step ${name}${decorators ? `  ${decorators}` : ""}`);
    if (node.spec.doc) lines.push(`${indent}    ${node.spec.doc}`);
    lines.push(`${indent}    ${describe(graph, node)}`);
  }
  return lines.join("\n");
}

// Mermaid treats `end` (and a few other words) as keywords: prefix every node id.
function mermaidId(step: string): string {
  return `step_${step}`;
}

export function renderMermaid(graph: FlowGraph): string {
  const lines = ["flowchart TD"];
  for (const name of graph.order) {
    const node = graph.nodes.get(name)!;
    const shape =
      node.type === "foreach"
        ? `[["${name}"]]`
        : node.type === "join"
          ? `{{"${name}"}}`
          : node.type === "switch"
            ? `{"${name}"}`
            : `["${name}"]`;
    lines.push(`  ${mermaidId(name)}${shape}`);
  }
  for (const name of graph.order) {
    const node = graph.nodes.get(name)!;
    for (const target of node.next) {
      const text = edgeLabel(graph, node, target);
      const label = text ? `|"${text}"|` : "";
      lines.push(`  ${mermaidId(name)} -->${label} ${mermaidId(target)}`);
    }
  }
  return lines.join("\n");
}

export function renderDot(graph: FlowGraph): string {
  const lines = [`digraph "${graph.flow.name}" {`, "  rankdir=TB;", "  node [shape=box, style=rounded];"];
  for (const name of graph.order) {
    const node = graph.nodes.get(name)!;
    const shape =
      node.type === "foreach"
        ? "box3d"
        : node.type === "join"
          ? "hexagon"
          : node.type === "switch"
            ? "diamond"
            : "box";
    lines.push(`  "${name}" [shape=${shape}];`);
  }
  for (const name of graph.order) {
    const node = graph.nodes.get(name)!;
    for (const target of node.next) {
      const text = edgeLabel(graph, node, target);
      const label = text ? ` [label=${JSON.stringify(text)}]` : "";
      lines.push(`  "${name}" -> "${target}"${label};`);
    }
  }
  lines.push("}");
  return lines.join("\n");
}

export function graphToJson(graph: FlowGraph): object {
  return {
    flow: graph.flow.name,
    parameters: graph.flow.parameters.map((p) => ({
      name: p.name,
      type: p.type,
      required: p.required,
      ...(p.help ? { help: p.help } : {}),
      ...(p.hasDefault && typeof p.default !== "function" ? { default: p.default } : {}),
    })),
    decorators: graph.flow.decorators,
    steps: graph.order.map((name) => {
      const node = graph.nodes.get(name)!;
      return {
        name,
        type: node.type,
        next: node.next,
        ...(node.spec.foreach ? { foreach: node.spec.foreach } : {}),
        ...(node.spec.cases ? { condition: node.spec.condition, cases: node.spec.cases } : {}),
        ...(node.joins ? { joins: node.joins } : {}),
        ...(node.loops.length > 0 ? { loops: node.loops } : {}),
        splitParents: node.splitParents,
        decorators: node.spec.decorators,
        ...(node.spec.location ? { line: node.spec.location.line } : {}),
      };
    }),
  };
}

export function renderGraph(graph: FlowGraph, format: ShowFormat): string {
  switch (format) {
    case "mermaid":
      return renderMermaid(graph);
    case "dot":
      return renderDot(graph);
    case "json":
      return JSON.stringify(graphToJson(graph), null, 2);
    default:
      return renderText(graph);
  }
}
