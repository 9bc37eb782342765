/**
 * Checks the one-way layering of src/ (docs/architecture.md, "Layers"): every import, static, type-only
 * or dynamic, must point to the importer's own area or to one it may use, and no module of the AWS SDK may
 * load on the local run path. `node --import tsx scripts/layer-check.ts` prints each violation and exits 1
 * on any; test/integration/layer-check.test.ts runs it over src/ in the test suite.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

/** Shared leaves every area may use: top-level files of src/ other than the barrel, and util/. */
const BASE = ["base"] as const;

/**
 * The areas each area may import, besides its own. `base` is util/ plus errors.ts, config.ts, version.ts
 * and report-error.ts; `index` is the "flowship" barrel (src/index.ts).
 */
export const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  base: [],
  card: [...BASE],
  flow: [...BASE, "card"],
  datastore: [...BASE, "card"],
  graph: [...BASE, "card", "flow"],
  task: [...BASE, "card", "flow", "graph", "datastore"],
  run: [...BASE, "card", "flow", "graph", "datastore", "task"],
  runtime: [...BASE, "card", "flow", "graph", "datastore", "task", "run"],
  client: [...BASE, "card", "flow", "graph", "datastore", "task"],
  aws: [...BASE, "card", "flow", "graph", "datastore", "task", "run"],
  index: [...BASE, "card", "flow", "graph", "datastore", "task", "client"],
  ui: [...BASE, "card", "flow", "graph", "datastore", "task", "client", "aws"],
  api: [...BASE, "card", "flow", "graph", "datastore", "task", "run", "runtime", "client", "aws"],
  cli: [
    ...BASE,
    "card",
    "flow",
    "graph",
    "datastore",
    "task",
    "run",
    "runtime",
    "client",
    "aws",
    "ui",
    "api",
  ],
};

/**
 * Violations tolerated for now, each `<area> -> <file under src/>`; none today. An entry here that no
 * longer occurs fails the check, so the list can only shrink.
 */
export const KNOWN_VIOLATIONS: readonly string[] = [];

/** The entry of a local run, and the packages that must never load from it. */
export const LOCAL_RUN_ENTRY = "runtime/local-run.ts";
const AWS_SDK = /^@aws-sdk\/|^@smithy\//;

export type ImportKind = "value" | "type" | "dynamic";
/** One import: `to` is a path under src/ for a relative specifier, else the package specifier. */
export interface ImportEdge {
  to: string;
  kind: ImportKind;
  line: number;
}
/** Each file under src/ (path relative to src/, "/"-separated) with the imports it makes. */
export type ImportGraph = Map<string, ImportEdge[]>;

export interface LayerViolation {
  from: string;
  to: string;
  kind: ImportKind;
  line: number;
  /** Why it is a violation, in one line. */
  reason: string;
}

export function areaOf(file: string): string {
  const [first, ...rest] = file.split("/");
  if (rest.length === 0) return first === "index.ts" ? "index" : "base";
  return first === "util" ? "base" : (first as string);
}

function listSources(dir: string, prefix = ""): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) return listSources(path.join(dir, entry.name), rel);
    if (!/\.tsx?$/.test(entry.name) || /\.test\.tsx?$|\.d\.ts$/.test(entry.name)) return [];
    return [rel];
  });
}

/** Maps a relative specifier to the source file it names (`./x.js` → `x.ts`, `x.tsx` or `x/index.ts`). */
function resolveRelative(files: Set<string>, from: string, specifier: string): string {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
  const stem = joined.replace(/\.(m?js|jsx|tsx?)$/, "");
  for (const candidate of [`${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return joined;
}

/** The imports of one source text; under verbatimModuleSyntax only `import type` is erased. */
export function importsOf(
  fileName: string,
  text: string,
): { specifier: string; kind: ImportKind; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false);
  const found: { specifier: string; kind: ImportKind; line: number }[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const kind = node.importClause?.isTypeOnly ? "type" : "value";
      found.push({ specifier: node.moduleSpecifier.text, kind, line: lineOf(node) });
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push({
        specifier: node.moduleSpecifier.text,
        kind: node.isTypeOnly ? "type" : "value",
        line: lineOf(node),
      });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, kind: "dynamic", line: lineOf(node) });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal))
        found.push({ specifier: literal.text, kind: "type", line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Reads every non-test source file under `srcDir` and the imports it makes. */
export function readImportGraph(srcDir: string): ImportGraph {
  const files = listSources(srcDir);
  const known = new Set(files);
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const text = fs.readFileSync(path.join(srcDir, file), "utf8");
    graph.set(
      file,
      importsOf(file, text).map(({ specifier, kind, line }) => ({
        to: specifier.startsWith(".") ? resolveRelative(known, file, specifier) : specifier,
        kind,
        line,
      })),
    );
  }
  return graph;
}

/** Every import from one area into an area it may not use (relative imports only). */
export function layerViolations(graph: ImportGraph): LayerViolation[] {
  const violations: LayerViolation[] = [];
  for (const [from, edges] of graph) {
    const area = areaOf(from);
    const allowed = MAY_IMPORT[area];
    for (const edge of edges) {
      if (!graph.has(edge.to)) continue;
      const target = areaOf(edge.to);
      if (target === area) continue;
      if (allowed === undefined) {
        violations.push({ ...edge, from, reason: `area '${area}' has no place in the layers` });
      } else if (!allowed.includes(target)) {
        violations.push({ ...edge, from, reason: `${area}/ may not import ${target}/` });
      }
    }
  }
  return violations;
}

/**
 * The AWS SDK modules a local run loads: walks value imports (static imports and re-exports; a dynamic
 * import is a lazy load and a type-only import is erased) from the entry and reports each SDK package
 * reached, with the chain of files that loads it.
 */
export function awsSdkOnPath(graph: ImportGraph, entry: string): LayerViolation[] {
  const parent = new Map<string, string>([[entry, ""]]);
  const queue = [entry];
  const violations: LayerViolation[] = [];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const edge of graph.get(file) ?? []) {
      if (edge.kind !== "value") continue;
      if (AWS_SDK.test(edge.to)) {
        const chain: string[] = [file];
        for (let at = parent.get(file); at; at = parent.get(at)) chain.unshift(at);
        violations.push({
          ...edge,
          from: file,
          reason: `AWS SDK on the local run path: ${chain.join(" → ")}`,
        });
      } else if (graph.has(edge.to) && !parent.has(edge.to)) {
        parent.set(edge.to, file);
        queue.push(edge.to);
      }
    }
  }
  return violations;
}

/** All problems: new layer violations, stale entries of `known`, and the AWS SDK on the local path. */
export function checkLayers(graph: ImportGraph, known: readonly string[] = KNOWN_VIOLATIONS): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const v of layerViolations(graph)) {
    const key = `${areaOf(v.from)} -> ${v.to}`;
    seen.add(key);
    if (!known.includes(key))
      problems.push(`src/${v.from}:${v.line}: imports ${v.to} (${v.kind}): ${v.reason}`);
  }
  for (const key of known) {
    if (!seen.has(key))
      problems.push(`scripts/layer-check.ts: '${key}' no longer occurs; remove it from KNOWN_VIOLATIONS`);
  }
  if (graph.has(LOCAL_RUN_ENTRY)) {
    for (const v of awsSdkOnPath(graph, LOCAL_RUN_ENTRY)) {
      problems.push(`src/${v.from}:${v.line}: imports ${v.to}: ${v.reason}`);
    }
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const srcDir = path.resolve(process.argv[2] ?? "src");
  const problems = checkLayers(readImportGraph(srcDir));
  for (const problem of problems) console.error(problem);
  if (problems.length > 0) process.exit(1);
  console.log(`layer check: ${path.relative(process.cwd(), srcDir) || "."} follows docs/architecture.md`);
}
