/**
 * Intrinsic functions, written so that literal text can never break them: in `statesFormat`
 * plain strings are literal text (escaped) and `ref(path)` marks the values filled in at run time.
 *
 * @example
 * statesFormat("sfn-", ref("$$.Execution.Name")) // "States.Format('sfn-{}', $$.Execution.Name)"
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */

/** A reference path into the state input (`$…`) or the context object (`$$…`). */
const PATH = /^\$\$?(\.[A-Za-z_][A-Za-z0-9_]*|\[\d+\])*$/;

/**
 * In the string literals of intrinsic functions `'`, `{`, `}` and `\` are special and must be
 * preceded by a backslash.
 *
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#amazon-states-language-intrinsic-functions-escapes
 */
export function escapeIntrinsicLiteral(text: string): string {
  return text.replace(/['{}\\]/g, (c) => `\\${c}`);
}

function checkPath(path: string): string {
  if (!PATH.test(path)) throw new Error(`Not a simple reference path: ${JSON.stringify(path)}`);
  return path;
}

/** A value read at run time from the state input or the context object. */
export interface PathRef {
  readonly path: string;
}

export function ref(path: string): PathRef {
  return { path: checkPath(path) };
}

/** `States.Format('<literal text with {} holes>', path, …)`. */
export function statesFormat(...parts: ReadonlyArray<string | PathRef>): string {
  const template = parts.map((p) => (typeof p === "string" ? escapeIntrinsicLiteral(p) : "{}")).join("");
  const paths = parts.filter((p): p is PathRef => typeof p !== "string").map((p) => `, ${p.path}`);
  return `States.Format('${template}'${paths.join("")})`;
}

/** `States.StringToJson(path)`: parses a JSON string found at `path`. */
export function statesStringToJson(path: string): string {
  return `States.StringToJson(${checkPath(path)})`;
}

/** `States.ArrayLength(path)`: the number of items of the array at `path`. */
export function statesArrayLength(path: string): string {
  return `States.ArrayLength(${checkPath(path)})`;
}
