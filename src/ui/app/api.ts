/** The UI server's JSON API (src/ui/read-model.ts has the shapes). */
export interface RunSummary {
  id: string;
  status: "running" | "succeeded" | "failed" | "killed";
  startedAt: string;
  endedAt?: string;
  user: string;
  namespace: string;
  tags: string[];
  systemTags: string[];
}

export interface DeploymentView {
  name: string;
  version: number;
  namespace: string;
  deployedAt: string;
  deployedBy: string;
  schedule?: { expression: string; timezone: string; next: string[] };
}

export interface FlowView {
  name: string;
  runs: RunSummary[];
  deployments: DeploymentView[];
}

export interface AttemptView {
  attempt: number;
  status: string;
  startedAt: string;
  endedAt?: string;
  failure?: { type: string; message: string };
}

export interface TaskSummary {
  id: string;
  status: string;
  attempts: AttemptView[];
  index?: number;
  choice?: { value: string; next: string };
}

export interface RunView {
  flow: string;
  run: RunSummary & { failureReason?: string; originRunId?: string };
  parameters: Record<string, unknown>;
  graph: { name: string; type: string; next: string[] }[];
  steps: Record<string, TaskSummary[]>;
  now: string;
}

export interface ArtifactView {
  name: string;
  type: string;
  size: number;
  value?: unknown;
}

export interface TaskView extends TaskSummary {
  flow: string;
  runId: string;
  step: string;
  inputs: string[];
  origin?: string;
  artifacts: ArtifactView[];
}

export interface LogChunk {
  text: string;
  next: number;
  finished: boolean;
}

export async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(path);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${response.status} ${response.statusText}`);
  return body;
}

export const encodePath = (...parts: string[]) => parts.map(encodeURIComponent).join("/");
