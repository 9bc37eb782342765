/**
 * Parameters: typed values given at run start (`--alpha 0.5`), read-only in every step.
 */
import { ParameterValueError } from "./errors.js";

export const PARAMETER_TYPES = ["string", "number", "integer", "boolean", "json"] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export interface ParameterContext {
  flowName: string;
  parameterName: string;
  user: string;
}

export interface ParameterOptions<T = unknown> {
  help?: string;
  /** A value, or a function evaluated once at run start. */
  default?: T | ((context: ParameterContext) => T | Promise<T>);
  /** The run refuses to start without a value. @default false */
  required?: boolean;
  /** @default the type of `default`, else "string" */
  type?: ParameterType;
}

export interface ParameterSpec {
  name: string;
  help?: string;
  type: ParameterType;
  required: boolean;
  default?: unknown;
  hasDefault: boolean;
}

export function inferParameterType(options: ParameterOptions): ParameterType {
  if (options.type) return options.type;
  const value = options.default;
  if (typeof value === "number") return "number";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "string" || value === undefined || typeof value === "function") return "string";
  return "json";
}

/** Turns the text given on the command line into a value of the parameter's type. */
export function parseParameterText(flowName: string, spec: ParameterSpec, text: string): unknown {
  const fail = (expected: string): never => {
    throw new ParameterValueError(
      `Invalid value for parameter '${spec.name}' of flow '${flowName}': ${JSON.stringify(text)} is not ${expected}.`,
    );
  };
  switch (spec.type) {
    case "string":
      return text;
    case "number": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isFinite(value)) fail("a number");
      return value;
    }
    case "integer": {
      const value = Number(text);
      if (text.trim() === "" || !Number.isSafeInteger(value)) fail("an integer");
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
  const ok =
    spec.type === "json" ||
    (spec.type === "string" && typeof value === "string") ||
    (spec.type === "number" && typeof value === "number" && Number.isFinite(value)) ||
    (spec.type === "integer" && typeof value === "number" && Number.isSafeInteger(value)) ||
    (spec.type === "boolean" && typeof value === "boolean");
  if (!ok) {
    throw new ParameterValueError(
      `Invalid ${source} for parameter '${spec.name}' of flow '${flowName}': expected ${spec.type}, got ${JSON.stringify(value)}.`,
    );
  }
  return value;
}
