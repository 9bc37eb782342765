/**
 * What every command of a flow gets. Its own module so that commands need not import the file
 * that registers them (cli/flow-commands.ts), which imports every command.
 */
import type { FlowSpec } from "../flow/types.js";
import type { LoadedFlow } from "../runtime/load-flow.js";
import type { GlobalOptions } from "./options.js";

export interface FlowCommandContext {
  flow: FlowSpec;
  file: string;
  globals: () => GlobalOptions;
  /** The compiled flow, when the CLI compiled it already (not under tsx). */
  preloaded?: LoadedFlow;
}
