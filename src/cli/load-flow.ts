/**
 * Turns a flow file into a flow: compiled once (the same bundle the tasks will run), imported,
 * and the flow it defines picked out.
 */
import path from "node:path";
import { FlowshipError } from "../errors.js";
import { registeredFlows } from "../flow/registry.js";
import type { FlowSpec } from "../flow/types.js";
import { type CompiledFlow, compileFlow, importCompiledFlow } from "../runtime/compile-flow.js";

export interface LoadedFlow {
  flow: FlowSpec;
  compiled: CompiledFlow;
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

export async function loadFlowFile(file: string, datastoreRoot: string): Promise<LoadedFlow> {
  const compiled = await compileFlow({ file, outDir: codeDir(datastoreRoot) });
  const before = registeredFlows().length;
  const module = await importCompiledFlow(compiled);
  const defined = registeredFlows().slice(before);
  const flow = isFlow(module.default) ? module.default : defined.length === 1 ? defined[0] : undefined;
  if (!flow) {
    throw new FlowshipError(
      "FS_FLOW_NOT_FOUND",
      defined.length === 0
        ? `No flow in '${file}': define one with flow("Name") and export it (export default flow("Name")…).`
        : `'${file}' defines ${defined.length} flows (${defined.map((f) => f.name).join(", ")}); export the one to use as the default export.`,
      { exitCode: 2 },
    );
  }
  return { flow, compiled };
}
