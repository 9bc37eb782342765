/**
 * Parameters: typed values given at run start (`--alpha 0.5`), read-only in every step.
 */
import { FlowDefinitionError, ParameterValueError } from "./errors.js";

export const PARAMETER_TYPES = ["string", "number", "integer", "boolean", "json"] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

/**
 * What a default function is given (`current` holds the same facts while it runs). Defaults are
 * evaluated when a run starts: by `run` locally, and on Step Functions by the start step of each
 * execution (Metaflow evaluates them once, at `step-functions create`).
 */
export interface ParameterContext {
  flowName: string;
  parameterName: string;
  /** Who starts the run: the local user, or `step-functions` for a deployed run. */
  user: string;
}

/** A default computed when the run starts. */
export type ParameterDefaultFunction<T = unknown> = (context: ParameterContext) => T | Promise<T>;

/**
 * Any value a default may be. Not `unknown` (nor `any`): a union with a function type in it lets
 * TypeScript type an arrow function's `context` without an annotation.
 */
type DefaultValue = string | number | boolean | bigint | symbol | object | null;

export interface ParameterOptions<T = unknown> {
  help?: string;
  /** A value, or a function evaluated once at run start: `default: ({ user }) => \`run-by-${user}\``. */
  default?: (unknown extends T ? DefaultValue : T) | ParameterDefaultFunction<T>;
  /** The run refuses to start without a value. @default false */
  required?: boolean;
  /** @default the type of `default`, else "string" */
  type?: ParameterType;
  /**
   * Makes a string parameter a list: `--tags a,b` with `separator: ","` is `["a", "b"]` (a string
   * default is split the same way). Only for type "string".
   */
  separator?: string;
  /** Set by {@link includeFile}: the value given or defaulted is a file's path; steps read its text. */
  includeFile?: boolean;
}

/**
 * A parameter whose value is the text of a file (Metaflow's IncludeFile): `--movies other.csv`
 * reads that file (relative to the current folder) when the run starts; the default is a path
 * relative to the flow file's folder and ships in the code package of a deployment. Steps read the
 * file's text as `self.movies`. UTF-8 text only; for large or binary data, pass an S3 URL instead.
 *
 * @example
 * flow("Playlist").parameter("movies", includeFile({ default: "movies.csv", help: "the movie list" }))
 */
export function includeFile(options: {
  default?: string;
  help?: string;
  required?: boolean;
}): ParameterOptions<string> & { type: "string"; includeFile: true } {
  return { ...options, type: "string", includeFile: true };
}

export interface ParameterSpec {
  name: string;
  help?: string;
  type: ParameterType;
  required: boolean;
  default?: unknown;
  hasDefault: boolean;
  /** Set for a list parameter: its text is split on this. */
  separator?: string;
  /** The value is read from a file: a path on the command line or as the default. */
  includeFile?: boolean;
}

/** Where a value given as text came from, for error messages. @default the command line */
export type ValueSource = string | undefined;

/**
 * A `type` the flow file names must be one flowship knows. TypeScript catches this in an editor,
 * but flow files run without type checking, and a bad type would otherwise surface later as a
 * misleading "invalid default" error. (The error report adds the flow file's line.)
 */
export function checkParameterType(flowName: string, name: string, type: unknown): void {
  if (type === undefined || (PARAMETER_TYPES as readonly unknown[]).includes(type)) return;
  const hint =
    type === "float" || type === "double"
      ? " (decimals are 'number')"
      : type === "int"
        ? " (use 'integer')"
        : "";
  throw new FlowDefinitionError(
    "FS_PARAM_TYPE",
    `Unknown type ${JSON.stringify(type)} for parameter '${name}' of flow '${flowName}': use one of ${PARAMETER_TYPES.join(", ")}${hint}`,
  );
}

export function inferParameterType(options: ParameterOptions): ParameterType {
  if (options.type) return options.type;
  // A list parameter is a string one (its TypeScript type is string[]): a default given as the
  // list, ["a", "b"], must not make it JSON.
  if (options.separator !== undefined && Array.isArray(options.default)) return "string";
  const value = options.default;
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string" || value === undefined || typeof value === "function") return "string";
  return "json";
}

/** Decimal numbers only: `0x10`, `0b1`, `1_000` and blanks are typos more often than intent. */
const DECIMAL_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const DECIMAL_INTEGER = /^[+-]?\d+$/;

/** Most characters of a value an error message quotes: a value given from code may be megabytes. */
const SHOWN_CHARS = 200;

/**
 * A value as an error message quotes it: JSON (line breaks and escapes escaped), cut short, and
 * whatever JSON cannot hold (NaN, a BigInt, a cycle) named rather than failing the message.
 */
export function shownValue(value: unknown): string {
  let text: string;
  try {
    text =
      typeof value === "number" || typeof value === "bigint"
        ? `${value}${typeof value === "bigint" ? "n" : ""}`
        : (JSON.stringify(value) ?? String(value));
  } catch {
    text = `a ${typeof value} JSON cannot hold`;
  }
  return text.length <= SHOWN_CHARS ? text : `${text.slice(0, SHOWN_CHARS)}… (${text.length} characters)`;
}

/** Turns the text given on the command line (or in an environment variable) into a value of the parameter's type. */
export function parseParameterText(
  flowName: string,
  spec: ParameterSpec,
  text: string,
  source?: ValueSource,
): unknown {
  const fail = (expected: string): never => {
    throw new ParameterValueError(
      `Invalid value for parameter '${spec.name}' of flow '${flowName}'${source ? ` (from ${source})` : ""}: ${shownValue(text)} is not ${expected}.`,
    );
  };
  switch (spec.type) {
    case "string":
      return spec.separator === undefined ? text : text.split(spec.separator);
    case "number": {
      const value = Number(text);
      if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(value)) fail("a decimal number");
      return value;
    }
    case "integer": {
      if (!DECIMAL_INTEGER.test(text)) fail("a decimal integer");
      const value = Number(text);
      // Rounding 9007199254740993 to …992 would be silent data loss: refuse and say why.
      if (!Number.isSafeInteger(value))
        fail(
          "an integer a JavaScript number holds exactly (±9007199254740991); declare the parameter type 'string' and convert it with BigInt()",
        );
      return value;
    }
    case "boolean": {
      const lowered = text.toLowerCase();
      if (["true", "1", "yes"].includes(lowered)) return true;
      if (["false", "0", "no"].includes(lowered)) return false;
      return fail("a boolean (true or false)");
    }
    case "json":
      try {
        return JSON.parse(text);
      } catch (error) {
        return fail(`valid JSON (${(error as Error).message})`);
      }
  }
}

/** Checks a value that arrived already typed (a default, or JSON from a trigger). */
export function checkParameterValue(
  flowName: string,
  spec: ParameterSpec,
  value: unknown,
  source: string,
): unknown {
  if (spec.separator !== undefined && typeof value === "string") return value.split(spec.separator);
  const ok =
    spec.type === "json" ||
    (spec.type === "string" &&
      (spec.separator === undefined
        ? typeof value === "string"
        : Array.isArray(value) && value.every((item) => typeof item === "string"))) ||
    (spec.type === "number" && typeof value === "number" && Number.isFinite(value)) ||
    (spec.type === "integer" && typeof value === "number" && Number.isSafeInteger(value)) ||
    (spec.type === "boolean" && typeof value === "boolean");
  if (!ok) {
    // The type is inferred from a default value, but a default function's result is not known
    // until the run starts: such a parameter is a string unless `type` says otherwise.
    const meant = typeof value === "number" ? "number" : typeof value === "boolean" ? "boolean" : "json";
    const hint =
      typeof spec.default === "function" && spec.type === "string" && spec.separator === undefined
        ? ` (a parameter whose default is a function is a string unless it gives a type: add type: "${meant}")`
        : "";
    throw new ParameterValueError(
      `Invalid ${source} for parameter '${spec.name}' of flow '${flowName}': expected ${spec.separator === undefined ? spec.type : "a list of strings"}, got ${shownValue(value)}${hint}.`,
    );
  }
  return value;
}
