/**
 * How far src/ is from issue 36's "done": the functions longer than a limit (tests left out) and the
 * import circles among the source files. `node --import tsx scripts/code-shape.ts [max lines]`
 * prints both; test/integration/code-shape.test.ts fails when either comes back.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { type ImportGraph, readImportGraph } from "./layer-check.js";

export interface LongFunction {
  file: string;
  line: number;
  name: string;
  lines: number;
}

function functionName(node: ts.Node, source: ts.SourceFile): string {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) && node.name)
    return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return "constructor";
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  ) {
    return parent.name.getText(source);
  }
  return "(anonymous)";
}

/** Every function, method or arrow function in src/ (tests left out) longer than `max` lines. */
export function longFunctions(srcDir: string, graph: ImportGraph, max: number): LongFunction[] {
  const found: LongFunction[] = [];
  for (const file of graph.keys()) {
    // A conformance suite (*.case.ts) is test code that backends call.
    if (file.endsWith(".case.ts")) continue;
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(path.join(srcDir, file), "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      if (ts.isFunctionLike(node) && "body" in node && node.body) {
        const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
        const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
        if (end - start + 1 > max)
          found.push({ file, line: start + 1, name: functionName(node, source), lines: end - start + 1 });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found.sort((a, b) => b.lines - a.lines);
}

/** The strongly connected components of more than one file (Tarjan), over the given kinds of import. */
export function importCircles(graph: ImportGraph, kinds: readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const edge of graph.get(file) ?? []) {
      if (!kinds.includes(edge.kind) || !graph.has(edge.to)) continue;
      if (!index.has(edge.to)) {
        connect(edge.to);
        low.set(file, Math.min(low.get(file)!, low.get(edge.to)!));
      } else if (onStack.has(edge.to)) {
        low.set(file, Math.min(low.get(file)!, index.get(edge.to)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) connect(file);
  return circles.sort((a, b) => b.length - a.length);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const max = Number(process.argv[2] ?? 80);
  const graph = readImportGraph("src");
  const long = longFunctions("src", graph, max);
  console.log(`## Functions over ${max} lines (tests left out): ${long.length}\n`);
  for (const f of long) console.log(`- ${f.lines} lines: \`${f.name}\` src/${f.file}:${f.line}`);
  for (const [title, kinds] of [
    ["static imports, type-only included", ["value", "type"]],
    ["static value imports only", ["value"]],
  ] as const) {
    const circles = importCircles(graph, kinds);
    console.log(`\n## Import circles (${title}): ${circles.length}\n`);
    for (const circle of circles) console.log(`- ${circle.length} files: ${circle.join(", ")}`);
  }
}
