import fs from "node:fs";
import path from "node:path";
import { withCurrentRunStart } from "../flow/current.js";
import { ParameterValueError } from "../flow/errors.js";
import { checkParameterValue, type ParameterSpec, parseParameterText } from "../flow/parameters.js";
import { type ProjectBranch, projectInfoOf } from "../flow/project.js";
import type { FlowSpec } from "../flow/types.js";

/** Who starts the run and where: what default functions are told, in their context and `current`. */
export interface RunStart {
  /** The user the run is recorded as (`step-functions` for a deployed run). */
  user: string;
  /** The namespace the run will be in, when known. */
  namespace?: string;
  /** For a flow with a project: the branch the run is in. */
  project?: ProjectBranch;
}

export interface GivenParameters {
  /** Values as typed on the command line (or read from FLOWSHIP_RUN_<NAME>). */
  text?: Record<string, string>;
  /** Where the text values not from the command line came from, for error messages. */
  sources?: Record<string, string>;
  /** Values that arrived typed: a trigger's JSON (an included file's text, not its path). */
  json?: Record<string, unknown>;
  /**
   * The folder an includeFile default is relative to: the flow file's. @default the folder of
   * the file the flow was declared in, else the current folder
   */
  includeBase?: string;
}

/**
 * The value of every parameter of a run: given on the command line (as text) or in a trigger
 * (as JSON), else its default (a function default is called now), else an error for a required
 * one. Every missing parameter is reported at once.
 */
export async function resolveParameters(
  flow: FlowSpec,
  given: GivenParameters,
  start: RunStart,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  const known = new Set(flow.parameters.map((p) => p.name));
  for (const name of [...Object.keys(given.text ?? {}), ...Object.keys(given.json ?? {})]) {
    if (!known.has(name)) {
      throw new ParameterValueError(
        `Unknown parameter '${name}' for flow '${flow.name}'; its parameters are: ${[...known].join(", ") || "(none)"}.`,
      );
    }
  }
  const includeBase = given.includeBase ?? includeBaseOf(flow);
  const missing: string[] = [];
  for (const spec of flow.parameters) {
    if (given.text && spec.name in given.text) {
      const text = given.text[spec.name]!;
      values[spec.name] = spec.includeFile
        ? readIncluded(flow, spec, path.resolve(text), text)
        : parseParameterText(flow.name, spec, text, given.sources?.[spec.name]);
    } else if (given.json && spec.name in given.json) {
      values[spec.name] = checkParameterValue(flow.name, spec, given.json[spec.name], "value");
    } else if (spec.hasDefault) {
      const value = await defaultOf(flow, spec, start);
      values[spec.name] =
        spec.includeFile && typeof value === "string"
          ? checkParameterValue(
              flow.name,
              spec,
              readIncluded(flow, spec, path.resolve(includeBase, value), value),
              "default",
            )
          : spec.type === "json" && typeof value === "string"
            ? // A JSON parameter's default given as text is read like the same text on the
              // command line (Metaflow's JSONType parses both).
              parseParameterText(flow.name, spec, value, "its default")
            : checkParameterValue(flow.name, spec, value, "default");
    } else if (spec.required) {
      missing.push(`--${spec.name}`);
    } else {
      values[spec.name] = undefined;
    }
  }
  if (missing.length > 0) {
    throw new ParameterValueError(
      `Missing required parameter${missing.length > 1 ? "s" : ""} ${missing.join(", ")} for flow '${flow.name}'.`,
    );
  }
  return values;
}

/** The folder of the flow file: where includeFile defaults are found. */
export function includeBaseOf(flow: FlowSpec): string {
  return flow.location?.file ? path.dirname(path.resolve(flow.location.file)) : process.cwd();
}

/** The includeFile defaults of the flow in `flowFile`, which its code package must ship. */
export function includedFiles(flow: FlowSpec, flowFile: string): { file: string; why: string }[] {
  const base = path.dirname(path.resolve(flowFile));
  return flow.parameters
    .filter((p) => p.includeFile && typeof p.default === "string")
    .map((p) => ({
      file: path.resolve(base, p.default as string),
      why: `the default file of parameter '${p.name}'`,
    }));
}

async function defaultOf(flow: FlowSpec, spec: ParameterSpec, start: RunStart): Promise<unknown> {
  const fn = spec.default;
  if (typeof fn !== "function") return fn;
  const namespace = start.namespace;
  try {
    return await withCurrentRunStart(
      {
        flowName: flow.name,
        username: start.user,
        isProduction: namespace?.startsWith("production:") ?? false,
        parameterNames: flow.parameters.map((p) => p.name),
        ...(namespace ? { namespace } : {}),
        ...(start.project ? { project: projectInfoOf(start.project, flow.name) } : {}),
      },
      async () => fn({ flowName: flow.name, parameterName: spec.name, user: start.user }),
    );
  } catch (error) {
    // The user's default function failed: their mistake, told in one line, not an internal error.
    throw new ParameterValueError(
      `The default of parameter '${spec.name}' of flow '${flow.name}' failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function readIncluded(flow: FlowSpec, spec: ParameterSpec, file: string, given: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "does not exist" : code === "EISDIR" ? "is a folder" : `cannot be read (${code})`;
    throw new ParameterValueError(
      `Cannot include the file of parameter '${spec.name}' of flow '${flow.name}': '${given}' (${file}) ${why}.`,
    );
  }
}
