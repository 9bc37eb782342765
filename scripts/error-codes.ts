/**
 * Generates docs/errors.md, the catalogue of every stable `FS_*` error code, from the source: each
 * code, the files that raise it, and its meaning in one line, taken from the message at the site that
 * raises it (or, where the message is built elsewhere, from the doc comment above that site).
 * `node --import tsx scripts/error-codes.ts` writes it; test/integration/error-codes.test.ts checks it is
 * current.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

const CODE = /^FS_[A-Z0-9_]+$/;
const MAX_MEANING = 220;

/** One place a code appears as a value (comments do not count). */
export interface CodeSite {
  file: string;
  line: number;
  /** Whether the code is raised here, rather than compared with or listed. */
  raised: boolean;
  /** The meaning this site gives, when it gives one. */
  meaning?: string;
}

function listSources(dir: string, prefix = ""): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) return listSources(path.join(dir, entry.name), rel);
      if (!/\.tsx?$/.test(entry.name) || /\.(test|case)\.tsx?$|\.d\.ts$/.test(entry.name)) return [];
      return [rel];
    });
}

/** A message expression as words: interpolations become ‹name›, or ‹…› when not a plain name. */
function renderMessage(node: ts.Expression, source: ts.SourceFile): string | undefined {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return renderMessage(node.expression, source);
  // A message chosen by a condition: its first form says what the code means.
  if (ts.isConditionalExpression(node)) {
    return renderMessage(node.whenTrue, source) ?? renderMessage(node.whenFalse, source);
  }
  if (ts.isTemplateExpression(node)) {
    return (
      node.head.text +
      node.templateSpans
        .map((span) => {
          const text = span.expression.getText(source);
          const name = /^[\w.]{1,32}$/.test(text) ? text.split(".").at(-1) : "…";
          return `‹${name}›${span.literal.text}`;
        })
        .join("")
    );
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const left = renderMessage(node.left, source);
    const right = renderMessage(node.right, source);
    return left === undefined && right === undefined ? undefined : `${left ?? "‹…›"}${right ?? "‹…›"}`;
  }
  return undefined;
}

/**
 * The nearest doc comment on `node` (a function itself, maybe) or what encloses it, up to the enclosing
 * function: a function's doc says what the function does, not what one of its errors means. A
 * constructor's doc is its class's.
 */
function docComment(node: ts.Node, source: ts.SourceFile): string | undefined {
  for (let at: ts.Node | undefined = node; at && !ts.isSourceFile(at); at = at.parent) {
    const ranges = ts.getLeadingCommentRanges(source.text, at.getFullStart()) ?? [];
    const doc = ranges.filter((r) => source.text.startsWith("/**", r.pos)).at(-1);
    if (doc !== undefined) {
      const text = source.text
        .slice(doc.pos + 3, doc.end - 2)
        .split("\n")
        .map((line) => line.replace(/^\s*\*\s?/, "").trim())
        .filter((line) => line !== "" && !line.startsWith("@"))
        .join(" ");
      if (text !== "") return text;
    }
    if (ts.isFunctionLike(at) && at !== node && !ts.isConstructorDeclaration(at)) return undefined;
    if (ts.isClassLike(at))
      return at.name ? `Raised as ${at.name.text}; the message is given where it is thrown.` : undefined;
  }
  return undefined;
}

/** Where a code literal sits, and what it says there. */
function siteOf(literal: ts.StringLiteralLike, source: ts.SourceFile): Omit<CodeSite, "file" | "line"> {
  // A code picked by a condition (`a ? "FS_X" : "FS_Y"`) is raised where the whole choice is.
  let node: ts.Expression = literal;
  while (
    (ts.isConditionalExpression(node.parent) && node !== node.parent.condition) ||
    ts.isParenthesizedExpression(node.parent) ||
    ts.isAsExpression(node.parent)
  ) {
    node = node.parent as ts.Expression;
  }
  let parent = node.parent;
  if (ts.isPropertyAssignment(parent) && ts.isObjectLiteralExpression(parent.parent)) {
    const fields = new Map(
      parent.parent.properties
        .filter(ts.isPropertyAssignment)
        .map((p) => [p.name.getText(source), p.initializer]),
    );
    const message = fields.get("message");
    const limit = fields.get("limit");
    const meaning =
      (message && renderMessage(message, source)) ??
      (limit && renderMessage(limit, source)?.replace(/^/, "Over its limit: ").concat("."));
    if (meaning !== undefined) return { raised: true, meaning };
    // `{ code }` passed beside a message, as process.emitWarning(message, { code }) takes it.
    node = parent.parent;
    parent = node.parent;
    if (!ts.isCallExpression(parent) && !ts.isNewExpression(parent)) {
      return { raised: true, meaning: docComment(node, source) };
    }
  }
  if (ts.isCallExpression(parent) || ts.isNewExpression(parent) || ts.isArrayLiteralExpression(parent)) {
    const list: readonly ts.Expression[] = ts.isArrayLiteralExpression(parent)
      ? parent.elements
      : (parent.arguments ?? []);
    const isCode = (n: ts.Expression) => ts.isStringLiteralLike(n) && CODE.test(n.text);
    // A list of codes (`new Set(["FS_X", …])`) only mentions them.
    if (ts.isArrayLiteralExpression(parent) && list.every(isCode)) return { raised: false };
    // The message is the argument after the code, or before it (`new UsageError(message, code)`).
    const at = list.indexOf(node);
    const message = [list[at + 1], list[at - 1]]
      .filter((n): n is ts.Expression => n !== undefined && !isCode(n))
      .map((n) => renderMessage(n, source))
      .find((m) => m !== undefined);
    if (message !== undefined) return { raised: true, meaning: message };
    return { raised: true, meaning: docComment(parent, source) };
  }
  // A default code (`(message, code = "FS_X") =>`) means what the function that takes it is documented to do.
  if (ts.isParameter(parent)) return { raised: true, meaning: docComment(parent.parent, source) };
  if (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent)) {
    return { raised: true, meaning: docComment(parent, source) };
  }
  // Compared with (`error.code === "FS_X"`) or listed in a set: a mention, not a source of the code.
  return { raised: false };
}

/** Every FS_* code in the non-test sources under `srcDir`, with the sites it appears at. */
export function collectErrorCodes(srcDir: string): Map<string, CodeSite[]> {
  const codes = new Map<string, CodeSite[]>();
  for (const file of listSources(srcDir)) {
    const source = ts.createSourceFile(
      file,
      fs.readFileSync(path.join(srcDir, file), "utf8"),
      ts.ScriptTarget.Latest,
      true,
    );
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteralLike(node) && CODE.test(node.text)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        const sites = codes.get(node.text) ?? [];
        sites.push({ file, line, ...siteOf(node, source) });
        codes.set(node.text, sites);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return codes;
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  const cut = flat.length > MAX_MEANING ? `${flat.slice(0, MAX_MEANING - 1).trimEnd()}…` : flat;
  return cut.replaceAll("|", "\\|");
}

/** docs/errors.md for the sources under `srcDir`. Lines are left out so that edits elsewhere keep it current. */
export function renderErrorCatalogue(srcDir = "src"): string {
  const codes = [...collectErrorCodes(srcDir)].sort(([a], [b]) => a.localeCompare(b));
  const parts = [
    "# Error codes",
    "",
    "Generated from the source by `scripts/error-codes.ts`; do not edit by hand.",
    "",
    "Every error flowship raises on purpose is a `FlowshipError` with a stable `code`: the CLI prints its",
    "one-line message (exit 1, or 2 for a usage error, see [cli.md](cli.md#exit-codes)), the API throws it, and a",
    "failed task records it in its `StepFailure`. Match on the code, never on the message. The meaning below is",
    "the message (‹name› stands for a value filled in) or the doc comment where the code is raised; the files",
    "are under `src/`.",
  ];
  let area = "";
  for (const [code, sites] of codes) {
    const codeArea = code.split("_")[1]!;
    if (codeArea !== area) {
      area = codeArea;
      parts.push("", `## FS_${area}`, "", "| Code | Meaning | Raised in |", "|---|---|---|");
    }
    const raised = sites.filter((site) => site.raised);
    const shown = raised.length > 0 ? raised : sites;
    const meaning = shown.find((site) => site.meaning !== undefined)?.meaning;
    const files = [...new Set(shown.map((site) => site.file))].map((file) => `\`${file}\``).join(", ");
    parts.push(`| \`${code}\` | ${meaning === undefined ? "—" : oneLine(meaning)} | ${files} |`);
  }
  return `${parts.join("\n")}\n`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  fs.writeFileSync("docs/errors.md", renderErrorCatalogue());
  console.log("wrote docs/errors.md");
}
