/**
 * Which flows a loaded file defined, and whether that file is the program being run. Kept on
 * `globalThis` because a bundled flow may carry its own copy of this module.
 */
import fs from "node:fs";
import path from "node:path";
import { taskSpecText } from "../config.js";
import type { FlowSpec } from "./types.js";

const FLOWS = Symbol.for("flowship.flows");
const HOST = Symbol.for("flowship.host");
type Globals = { [FLOWS]?: FlowSpec[]; [HOST]?: string };
const globals = globalThis as Globals;

export function registerFlow(flow: FlowSpec): void {
  globals[FLOWS] ??= [];
  globals[FLOWS].push(flow);
}

export function registeredFlows(): readonly FlowSpec[] {
  return globals[FLOWS] ?? [];
}

/** @internal Called by a host (the CLI, a task process) before it imports a flow file. */
export function markHost(kind: string): void {
  globals[HOST] = kind;
}

function realpath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** True when `file` is the script node was started with. */
export function isProgramFile(file: string): boolean {
  const main = process.argv[1];
  return main !== undefined && realpath(main) === realpath(file);
}

/** True when the flow's file is the script node was started with, and no host imported it. */
export function isMainModule(flow: FlowSpec): boolean {
  if (globals[HOST] || taskSpecText() !== undefined) return false;
  return flow.location !== undefined && isProgramFile(flow.location.file);
}
