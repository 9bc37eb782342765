/** The UI server's JSON API: the shapes are in ../views.ts, shared with the server. */
export type {
  ArtifactView,
  AttemptView,
  DeploymentView,
  FlowView,
  LogChunk,
  RunSummary,
  RunView,
  TaskSummary,
  TaskView,
} from "../views.js";

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export const encodePath = (...parts: string[]) => parts.map(encodeURIComponent).join("/");
