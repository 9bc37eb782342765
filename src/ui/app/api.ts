/** The UI server's JSON API: the shapes are in ../views.ts, shared with the server. */
export type {
  ArtifactView,
  AttemptView,
  DeploymentView,
  FlowRunsView,
  FlowView,
  LogChunk,
  RunSummary,
  RunView,
  Shown,
  TaskState,
  TaskSummary,
  TaskView,
} from "../views.js";

/** An answer other than 200: `status` 404 is "no such flow, run or task". */
export class ApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok)
    throw new ApiError(body.error ?? `${response.status} ${response.statusText}`, response.status);
  return body;
}

export const encodePath = (...parts: string[]) => parts.map(encodeURIComponent).join("/");
