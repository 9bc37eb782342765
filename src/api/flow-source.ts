/**
 * What the programmatic API is given to run or deploy — a flow file's path, or the flow object
 * that file exports — turned into the compiled flow the tasks run. A flow object is compiled from
 * the file it was declared in (recorded by `flow()`), and the definition used is the compiled
 * bundle's: the scheduler and the tasks then read the very same code.
 */
import { isProgramFile, markHost } from "../flow/registry.js";
import type { FlowSpec } from "../flow/types.js";
import { type LoadedFlow, loadFlowFile } from "../runtime/load-flow.js";
import { API_ERROR_CODES, ApiUsageError } from "./errors.js";

/** A flow to run or deploy: the path of its file, or the flow object (`export default flow(…)`). */
export type FlowInput = string | FlowSpec;

/** The file a flow input is compiled from. */
export function flowFileOf(input: FlowInput): string {
  if (typeof input === "string") return input;
  if (typeof input !== "object" || input === null) {
    throw new ApiUsageError(
      API_ERROR_CODES.flowFileUnknown,
      `Expected a flow (the default export of its file) or its file's path, got ${String(input)}.`,
    );
  }
  const file = input.location?.file;
  if (!file) {
    throw new ApiUsageError(
      API_ERROR_CODES.flowFileUnknown,
      `Cannot tell which file defines flow '${input.name}'. Pass the path of its file instead, e.g. new Runner("flows/my-flow.ts").`,
    );
  }
  return file;
}

/**
 * Refuses the program's own file: its bundle is imported here to read the definition, and by
 * every task, so the program's top level, its call of the API included, would run again here and
 * in each task.
 */
function refuseProgramFile(input: FlowInput, file: string): void {
  if (!isProgramFile(file)) return;
  throw new ApiUsageError(
    API_ERROR_CODES.flowInProgram,
    `${typeof input === "string" ? `Flow file '${file}' is` : `Flow '${input.name}' is declared in '${file}',`} the program that runs it: flowship compiles that file for the tasks, so its top level would run again in each of them. Move the flow to a module of its own and import it.`,
  );
}

/**
 * Compiles the flow into `codeRoot`'s code folder and imports the bundle to read its definition.
 * The bundle is a flow file imported by a host: its `.run()` must not start the CLI here.
 */
export async function loadFlowInput(
  input: FlowInput,
  options: { codeRoot: string; withS3: boolean },
): Promise<LoadedFlow> {
  const file = flowFileOf(input);
  refuseProgramFile(input, file);
  markHost("api");
  return loadFlowFile(file, options.codeRoot, {
    withS3: options.withS3,
    ...(typeof input === "string" ? {} : { name: input.name }),
  });
}
