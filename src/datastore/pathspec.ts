/**
 * Pathspecs name what a run produced: `Flow`, `Flow/run`, `Flow/run/step`, `Flow/run/step/task`.
 * Every part is checked so a pathspec can never point outside the datastore.
 */
import { FlowshipError } from "../errors.js";

export interface Pathspec {
  flow: string;
  runId?: string;
  step?: string;
  taskId?: string;
}

/** A pathspec that is not flow/run[/step[/task]] of valid names: a usage error (exit 2). */
export class InvalidPathspecError extends FlowshipError {
  constructor(message: string) {
    super("FS_PATHSPEC_INVALID", message, { exitCode: 2 });
  }
}

const PART = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;
/**
 * Every part names a folder, and a file name has at most 255 bytes: a longer part could never
 * exist (ENAMETOOLONG), so it is refused as input. Generated ids are far shorter (`sfn-` + an
 * 80-character execution name; foreach indices joined with ".").
 */
const MAX_PART_LENGTH = 200;

function checkPart(part: string, label: string, within: string): void {
  if (!PART.test(part) || part.includes("..")) {
    throw new InvalidPathspecError(
      `Invalid ${label} '${part}'${within}: use letters, digits, '_', '-' and '.'.`,
    );
  }
  if (part.length > MAX_PART_LENGTH) {
    throw new InvalidPathspecError(
      `Invalid ${label} '${part}'${within}: at most ${MAX_PART_LENGTH} characters.`,
    );
  }
}
const LABELS = ["flow name", "run id", "step name", "task id"] as const;

export function parsePathspec(text: string, expected?: "flow" | "run" | "step" | "task"): Pathspec {
  const parts = text.split("/");
  const wanted = expected ? ["flow", "run", "step", "task"].indexOf(expected) + 1 : undefined;
  const shapes = ["Flow", "Flow/RunId", "Flow/RunId/step", "Flow/RunId/step/taskId"];
  if (parts.length > 4 || (wanted !== undefined && parts.length !== wanted)) {
    throw new InvalidPathspecError(
      `Invalid pathspec '${text}': expected ${wanted ? shapes[wanted - 1] : "Flow[/RunId[/step[/taskId]]]"}.`,
    );
  }
  parts.forEach((part, i) => {
    checkPart(part, LABELS[i]!, ` in pathspec '${text}'`);
  });
  const [flow, runId, step, taskId] = parts as [string, string?, string?, string?];
  return { flow, ...(runId ? { runId } : {}), ...(step ? { step } : {}), ...(taskId ? { taskId } : {}) };
}

export function checkRunId(runId: string): string {
  checkPart(runId, "run id", "");
  return runId;
}

export function formatPathspec(p: Pathspec): string {
  return [p.flow, p.runId, p.step, p.taskId].filter((x) => x !== undefined).join("/");
}
