/**
 * Turns a flow file into a flow: compiled once (the same bundle the tasks will run), imported,
 * and the flow it defines picked out. The CLI and the programmatic API (api/) both start here.
 */
import path from "node:path";
import { FlowshipError } from "../errors.js";
import { registeredFlows } from "../flow/registry.js";
import type { FlowSpec } from "../flow/types.js";
import { type CompiledFlow, compileFlow, importCompiledFlow } from "../run/compile-flow.js";

export interface LoadedFlow {
  flow: FlowSpec;
  compiled: CompiledFlow;
}

export interface LoadFlowOptions {
  /** The flow to pick, by name: for a file that defines several. @default its default export, else its one flow */
  name?: string;
  /** Bundle the S3 datastore backend (runs on an S3 datastore need it). @default false */
  withS3?: boolean;
}

function isFlow(value: unknown): value is FlowSpec {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as FlowSpec).name === "string" &&
    Array.isArray((value as FlowSpec).steps)
  );
}

export function codeDir(datastoreRoot: string): string {
  return path.join(datastoreRoot, "_code");
}

/**
 * The flows each imported bundle defined. A bundle imported again (a second Runner of the same
 * code in one process) comes from the module cache and registers nothing the second time.
 */
const DEFINED = new Map<string, readonly FlowSpec[]>();

export async function loadFlowFile(
  file: string,
  datastoreRoot: string,
  options: LoadFlowOptions = {},
): Promise<LoadedFlow> {
  const compiled = await compileFlow({
    file,
    outDir: codeDir(datastoreRoot),
    ...(options.withS3 ? { withS3: true } : {}),
  });
  const before = registeredFlows().length;
  const module = await importCompiledFlow(compiled);
  const defined = DEFINED.get(compiled.bundle) ?? registeredFlows().slice(before);
  DEFINED.set(compiled.bundle, defined);
  const flow =
    options.name !== undefined
      ? defined.find((f) => f.name === options.name)
      : isFlow(module.default)
        ? module.default
        : defined.length === 1
          ? defined[0]
          : undefined;
  if (!flow) {
    throw new FlowshipError(
      "FS_FLOW_NOT_FOUND",
      options.name !== undefined
        ? `No flow '${options.name}' in '${file}': it defines ${defined.map((f) => f.name).join(", ") || "no flow"}. Define the flow in the file it is imported from.`
        : defined.length === 0
          ? `No flow in '${file}': define one with flow("Name") and export it (export default flow("Name")…).`
          : `'${file}' defines ${defined.length} flows (${defined.map((f) => f.name).join(", ")}); export the one to use as the default export.`,
      { exitCode: 2 },
    );
  }
  return { flow, compiled };
}
